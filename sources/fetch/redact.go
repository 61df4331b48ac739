package fetch

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
)

// APIKeyPlaceholder in a location is replaced by the key named by api_key_env
// at fetch time, so the configured (and logged, archived, published)
// location never holds the key.
const APIKeyPlaceholder = "{api_key}"

// secrets are the API keys read in this process; Redact removes them.
var secrets struct {
	sync.RWMutex
	vals []string
}

// APIKey reads an API key from the environment variable env and registers it
// for redaction.
func APIKey(env string) (string, error) {
	v := strings.TrimSpace(os.Getenv(env))
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set (it holds the API key)", env)
	}
	secrets.Lock()
	defer secrets.Unlock()
	for _, s := range []string{v, url.PathEscape(v), url.QueryEscape(v)} {
		if !slices.Contains(secrets.vals, s) {
			secrets.vals = append(secrets.vals, s)
		}
	}
	return v, nil
}

// Redact replaces every registered API key in s.
func Redact(s string) string {
	secrets.RLock()
	defer secrets.RUnlock()
	for _, v := range secrets.vals {
		s = strings.ReplaceAll(s, v, "REDACTED")
	}
	return s
}

// RedactError hides API keys in an error's message (net/url errors quote the
// whole URL) while keeping it matchable with errors.Is and errors.As.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	return redacted{err}
}

type redacted struct{ err error }

func (r redacted) Error() string { return Redact(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }

// ExpandAPIKey puts the key named by env into a location's placeholder.
func ExpandAPIKey(loc, env string) (string, error) {
	if env == "" {
		return loc, nil
	}
	key, err := APIKey(env)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(loc, APIKeyPlaceholder, url.PathEscape(key)), nil
}
