package plan

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// LoadStack reads Pulumi.yaml from projectDir and the given stack file, as
// the Pulumi CLI would, for an offline plan: encrypted values are blinded,
// and a secret the program reads but the file lacks (it is set per stack
// with `pulumi config set --secret`) is blinded too, with a note saying so.
func LoadStack(projectDir, stackFile string) (raw map[string]string, notes []string, err error) {
	raw, err = stackconfig.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"), stackFile)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range stackconfig.MissingSecrets(raw) {
		raw[key] = stackconfig.Blinded
		notes = append(notes, fmt.Sprintf("note: %s is not in %s; the plan assumes it is set (pulumi config set --secret %s)",
			key, filepath.Base(stackFile), key))
	}
	return raw, notes, nil
}

// StackName is the stack a stack file is for: Pulumi.<stack>.yaml.
func StackName(stackFile string) string {
	base := filepath.Base(stackFile)
	if name, ok := strings.CutPrefix(base, "Pulumi."); ok {
		if name, ok := strings.CutSuffix(name, ".yaml"); ok {
			return name
		}
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}
