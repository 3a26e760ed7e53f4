package stackoutputs

// KeyMCP and KeyPublicURL name the mcp output and its field.
const (
	KeyMCP       = "mcp"
	KeyPublicURL = "publicUrl"
)

// MCP is the stack's model-api-auth0:mcp: agents (MCP clients) are
// expected at PublicURL, which is also the API identifier (the stack's
// validation sees to it). A gateway started from outputs with it refuses a
// public URL that is not the API identifier, which agents would refuse.
type MCP struct {
	PublicURL string `json:"publicUrl"`
}
