package stackconfig_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/model-api-auth0/model-api-auth0/internal/tenant/stackconfig"
)

// sdkRead is what ReadFile must return: the configuration as the Pulumi
// SDK's own loaders read it (the test may link the SDK; the package may not),
// secure values blinded, the project's defaults applied where the stack file
// says nothing.
func sdkRead(projectFile, stackFile string) (map[string]string, error) {
	proj, err := workspace.LoadProject(projectFile)
	if err != nil {
		return nil, err
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, stackFile)
	if err != nil {
		return nil, err
	}
	plain, err := ps.Config.Decrypt(config.NewBlindingDecrypter())
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	for k, v := range plain {
		values[k.String()] = v
	}
	for key, decl := range proj.Config {
		if !strings.Contains(key, ":") {
			key = proj.Name.String() + ":" + key // as the CLI reads a project key without a namespace
		}
		if _, set := values[key]; set || decl.Default == nil {
			continue
		}
		if s, ok := decl.Default.(string); ok {
			values[key] = s
			continue
		}
		b, err := json.Marshal(decl.Default)
		if err != nil {
			return nil, err
		}
		values[key] = string(b)
	}
	return values, nil
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"))
	return root
}

// Every stack file of the repository reads as the SDK reads it.
func TestReadStackFilesAsTheSDK(t *testing.T) {
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	require.NoError(t, err)
	files = append(files, filepath.Join(root, "internal/dev/devtenant/testdata/Pulumi.test.yaml"))
	require.GreaterOrEqual(t, len(files), 4, "the dev, staging and prod stacks and the dev tenant's test stack")
	project := filepath.Join(root, "Pulumi.yaml")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := sdkRead(project, file)
			require.NoError(t, err)
			got, err := stackconfig.ReadFile(project, file)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.NotEmpty(t, got[stackconfig.KeyAPI])
		})
	}
}

// testProject declares keys in every form Pulumi.yaml can: with a default of
// each kind, without one, in the short form, without a namespace, and
// another package's value (a value for every stack, not a default).
const testProject = `name: proj
runtime: go
config:
  proj:str: {type: string, default: hello}
  proj:num: {type: integer, default: 7}
  proj:flag: {type: boolean, default: false}
  proj:list: {type: array, items: {type: string}, default: [a, b]}
  proj:obj: {type: object, default: {}}
  proj:required: {type: string}
  proj:short: short-default
  bare: {type: string, default: bare-default}
  aws:region: eu-west-1
`

// stackCases are stack files for testProject, the values written in every
// way YAML and the Pulumi CLI write them.
var stackCases = map[string]string{
	"empty file":                 ``,
	"no config":                  "secretsprovider: passphrase\nencryptionsalt: v1:abc\n",
	"empty config":               "config:\n",
	"strings":                    "config:\n  proj:str: world\n  proj:quoted: \"7200\"\n  proj:multi: |\n    two\n    lines\n  proj:empty: \"\"\n",
	"scalars":                    "config:\n  proj:num: 3600\n  proj:flag: true\n  proj:float: 1.5\n  proj:whole: 2.0\n  proj:exp: 1e21\n  proj:neg: -1\n  proj:hex: 0x1F\n  proj:big: 18446744073709551615\n",
	"null":                       "config:\n  proj:nothing: null\n  proj:tilde: ~\n",
	"timestamp-like":             "config:\n  proj:when: 2024-01-02T03:04:05Z\n  proj:day: 2024-01-02\n",
	"yes is a string in YAML":    "config:\n  proj:yes: yes\n  proj:on: on\n",
	"secure":                     "config:\n  proj:password:\n    secure: v1:AAAAAAAAAAAAAAAA:cipher\n",
	"nested secure":              "config:\n  proj:obj:\n    user: alice\n    password:\n      secure: v1:xyz\n    list: [1, {secure: v1:abc}, 2.5, true, null]\n",
	"secure-looking, not secure": "config:\n  proj:obj:\n    secure: 12\n  proj:two:\n    secure: v1:abc\n    other: x\n",
	"objects and lists":          "config:\n  proj:obj:\n    b: 1\n    a: [x, y]\n    html: \"<a&b>\"\n    nested: {deep: {deeper: [1.0, 18446744073709551615, -3]}}\n  proj:list: []\n  proj:emptyobj: {}\n",
	"without namespace":          "config:\n  str: plain\n  num: 5\n",
	"other namespace":            "config:\n  aws:region: us-east-1\n  auth0:domain: t.us.auth0.com\n",
	"old key form":               "config:\n  proj:config:legacy: old\n",
	"anchors and merge keys":     "x: &base {a: 1, b: 2}\nconfig:\n  proj:obj:\n    <<: *base\n    b: 3\n  proj:copy: *base\n",
	"byte order mark":            "\ufeffconfig:\n  proj:str: bom\n",
	"unicode":                    "config:\n  proj:str: \"caf\u00e9 \\u2603\"\n",
	"keys not strings":           "config:\n  proj:obj: {1: a, true: b, 2.5: c}\n",
	"comments":                   "# a comment\nconfig: # here too\n  proj:str: value # and here\n",
}

// failingStackCases are stack files both the SDK and ReadFile refuse.
var failingStackCases = map[string]string{
	"not YAML":                  "config: [\n",
	"config not a mapping":      "config: [a, b]\n",
	"document key not a string": "000000:\n 000000000: 000\n000000000: 00",
	"config key not a string":   "config:\n  1: x\n",
	"not a mapping at all":      "- a\n- b\n",
	"too many colons":           "config:\n  a:b:c: x\n",
	"duplicate key":             "config:\n  proj:a: 1\n  proj:a: 2\n",
	"infinity":                  "config:\n  proj:inf: .inf\n",
}

func writeProject(t testing.TB) (dir, project string) {
	t.Helper()
	dir = t.TempDir()
	project = filepath.Join(dir, "Pulumi.yaml")
	require.NoError(t, os.WriteFile(project, []byte(testProject), 0o600))
	return dir, project
}

func TestReadAsTheSDK(t *testing.T) {
	dir, project := writeProject(t)
	for name, content := range stackCases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, "Pulumi.case.yaml")
			require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
			want, err := sdkRead(project, file)
			require.NoError(t, err)
			got, err := stackconfig.ReadFile(project, file)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for name, content := range failingStackCases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, "Pulumi.case.yaml")
			require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
			_, sdkErr := sdkRead(project, file)
			require.Error(t, sdkErr, "the SDK reads it: move the case to stackCases")
			_, err := stackconfig.ReadFile(project, file)
			require.Error(t, err)
			assert.Contains(t, err.Error(), file, "the error names the file")
		})
	}
}

// Where the SDK's answer is not one a person can use, ReadFile says what is
// wrong instead.
func TestReadRefusesWhatTheSDKGuesses(t *testing.T) {
	dir, project := writeProject(t)
	t.Run("missing stack file", func(t *testing.T) {
		// The SDK reads it as empty; then every required key is missing.
		_, err := stackconfig.ReadFile(project, filepath.Join(dir, "Pulumi.typo.yaml"))
		require.ErrorIs(t, err, os.ErrNotExist)
		assert.Contains(t, err.Error(), "Pulumi.typo.yaml")
	})
	t.Run("a key with and without its namespace", func(t *testing.T) {
		// The SDK keeps one of the two values, whichever it meets last.
		file := filepath.Join(dir, "Pulumi.twice.yaml")
		require.NoError(t, os.WriteFile(file, []byte("config:\n  str: one\n  proj:str: two\n"), 0o600))
		_, err := stackconfig.ReadFile(project, file)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `proj:str is set twice, as "`)
	})
	t.Run("missing project file", func(t *testing.T) {
		_, err := stackconfig.ReadFile(filepath.Join(dir, "nope.yaml"), filepath.Join(dir, "Pulumi.case.yaml"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("project without a name", func(t *testing.T) {
		noName := filepath.Join(dir, "noname.yaml")
		require.NoError(t, os.WriteFile(noName, []byte("runtime: go\n"), 0o600))
		_, err := stackconfig.ReadFile(noName, filepath.Join(dir, "Pulumi.case.yaml"))
		require.ErrorContains(t, err, "project is missing a 'name' attribute")
	})
}

// Any stack file the SDK reads, ReadFile reads the same; one the SDK refuses,
// ReadFile refuses. go test runs the seeds; `go test -fuzz FuzzRead
// ./internal/stackconfig` looks for more.
func FuzzRead(f *testing.F) {
	for _, content := range stackCases {
		f.Add(content)
	}
	for _, content := range failingStackCases {
		f.Add(content)
	}
	dir, project := writeProject(f)
	file := filepath.Join(dir, "Pulumi.fuzz.yaml")
	f.Fuzz(func(t *testing.T, content string) {
		require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
		want, sdkErr := sdkReadNoPanic(project, file)
		got, err := stackconfig.ReadFile(project, file)
		switch {
		case sdkErr != nil:
			require.Error(t, err, "the SDK refuses it: %v", sdkErr)
		case err != nil && strings.Contains(err.Error(), "is set twice"):
			// Refused on purpose: TestReadRefusesWhatTheSDKGuesses.
		default:
			require.NoError(t, err)
			require.Equal(t, want, got)
		}
	})
}

// sdkReadNoPanic is sdkRead, with the SDK's internal assertions (it panics
// on some inputs) turned into errors.
func sdkReadNoPanic(projectFile, stackFile string) (values map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			values, err = nil, &sdkPanic{r}
		}
	}()
	return sdkRead(projectFile, stackFile)
}

type sdkPanic struct{ value any }

func (p *sdkPanic) Error() string { return "the SDK panicked" }
