package stackconfig

import "fmt"

// ProofOfPossessionConfig is the API's proofOfPossession: whether Auth0
// binds its access tokens to a key the client holds (DPoP, RFC 9449), and
// for which clients it insists. Without it, Auth0 still issues bound
// tokens to a client that sends a DPoP proof.
type ProofOfPossessionConfig struct {
	// Mechanism is dpop (the default), the one guard and the gateway check.
	Mechanism string `json:"mechanism"`
	// Required refuses unbound tokens for the clients of RequiredFor.
	Required bool `json:"required"`
	// RequiredFor is all_clients (default when required) or
	// public_clients (the command line's login; M2M clients stay free).
	RequiredFor string `json:"requiredFor"`
}

// Values of ProofOfPossessionConfig: Auth0's API values, snake_case (the
// provider's schema shows them in camelCase, which Auth0 refuses).
const (
	PoPMechanismDPoP   = "dpop"
	PoPAllClients      = "all_clients"
	PoPPublicClients   = "public_clients"
	defaultPoPRequired = PoPAllClients
)

func (p *ProofOfPossessionConfig) applyDefaults() {
	if p == nil {
		return
	}
	if p.Mechanism == "" {
		p.Mechanism = PoPMechanismDPoP
	}
	if p.Required && p.RequiredFor == "" {
		p.RequiredFor = defaultPoPRequired
	}
}

// proofOfPossession checks the API's proofOfPossession and the clients'
// requireProofOfPossession.
func (v *validator) proofOfPossession(c *Config) {
	p := KeyAPI + ".proofOfPossession"
	if pop := c.API.ProofOfPossession; pop != nil {
		switch pop.Mechanism {
		case PoPMechanismDPoP:
		case "mtls":
			v.addf(p+".mechanism", "mtls is not checked by guard or the gateway; use dpop")
		default:
			v.addf(p+".mechanism", "%q: want dpop", pop.Mechanism)
		}
		switch {
		case pop.RequiredFor != "" && !pop.Required:
			v.addf(p+".requiredFor", "only applies with required: true")
		case pop.RequiredFor != PoPAllClients && pop.RequiredFor != PoPPublicClients && pop.Required:
			v.addf(p+".requiredFor", "%q: want all_clients or public_clients (Auth0's values, not allClients)", pop.RequiredFor)
		}
	}
	for i, cl := range c.Clients {
		if cl.RequireProofOfPossession && (c.API.ProofOfPossession == nil || c.API.ProofOfPossession.Mechanism != PoPMechanismDPoP) {
			v.addf(fmt.Sprintf("%s[%s].requireProofOfPossession", KeyClients, label(cl.Name, i)),
				"needs the API's proofOfPossession with mechanism dpop, so that the gateway accepts the bound tokens (set model-api-auth0:api.proofOfPossession: {mechanism: dpop})")
		}
	}
}
