package stackoutputs

// KeyProofOfPossession is the output of the API's proofOfPossession
// (DPoP): a gateway started from the outputs requires DPoP when the stack
// does. Absent when the stack declares none.
const KeyProofOfPossession = "proofOfPossession"

// The names of ProofOfPossession's fields.
const (
	KeyMechanism   = "mechanism"
	KeyRequired    = "required"
	KeyRequiredFor = "requiredFor"
)

// ProofOfPossession is the API's proofOfPossession as the stack declares
// it: mechanism dpop, and whether bound tokens are required, of all_clients
// or public_clients.
type ProofOfPossession struct {
	Mechanism   string `json:"mechanism"`
	Required    bool   `json:"required"`
	RequiredFor string `json:"requiredFor,omitempty"` // only with Required
}

// RequiredOfAll reports whether every token the API accepts is bound: DPoP
// required of all clients. With public_clients, M2M clients' tokens stay
// bearer tokens, which a gateway requiring DPoP would refuse.
func (p *ProofOfPossession) RequiredOfAll() bool {
	return p != nil && p.Mechanism == "dpop" && p.Required && p.RequiredFor == "all_clients"
}
