package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVersionHelpAndBareCommand(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out, errb bytes.Buffer
		require.Equal(t, exitOK, run(args, &out, &errb), errb.String())
		require.Regexp(t, `^heiststat \S+\n  revision \S+.*\n  go1\.\d+.* linux/\w+\n  DuckDB v1\.\d+\.\d+\n$`, out.String())
	}
	var out, errb bytes.Buffer
	require.Equal(t, exitOK, run([]string{"help", "run"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "Usage: heiststat run [flags]")
	require.Contains(t, out.String(), "--offline")

	out.Reset()
	require.Equal(t, exitOK, run(nil, &out, &errb), errb.String())
	require.Contains(t, out.String(), "Usage: heiststat <command> [flags]")
	require.Contains(t, out.String(), "$HEISTSTAT_CONFIG", "--help documents the variables")
}

func TestConfigFromEnvironmentAndSearchOrder(t *testing.T) {
	cfg, _ := published(t)
	elsewhere := t.TempDir()
	report := func(env ...string) (int, string, string) {
		exe, err := os.Executable()
		require.NoError(t, err)
		cmd := exec.Command(exe, "report", "--year", "2022")
		cmd.Dir = elsewhere
		cmd.Env = append(append(os.Environ(), "HEISTSTAT_TEST_CHILD=1", "XDG_CONFIG_HOME="+filepath.Join(elsewhere, "xdg")), env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		_ = cmd.Run()
		return cmd.ProcessState.ExitCode(), o.String(), e.String()
	}
	code, stdout, stderr := report("HEISTSTAT_CONFIG=" + cfg)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "2022")

	// Without a config anywhere: a usage error that says where it looked.
	code, _, stderr = report()
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "heiststat.yaml")

	// ./heiststat.yaml is next in the search order.
	b, err := os.ReadFile(cfg)
	require.NoError(t, err)
	abs := strings.NewReplacer("data_dir: data", "data_dir: "+filepath.Join(filepath.Dir(cfg), "data"),
		"out_dir: out", "out_dir: "+filepath.Join(filepath.Dir(cfg), "out")).Replace(string(b))
	require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "heiststat.yaml"), []byte(abs), 0o644))
	code, stdout, stderr = report()
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "2022")
}

func TestShellCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -C", "zsh": "bashcompinit", "fish": "complete -f -c heiststat"} {
		var out, errb bytes.Buffer
		require.Equal(t, exitOK, run([]string{"completion", shell}, &out, &errb), errb.String())
		require.Contains(t, out.String(), want)
	}
	// The script asks the binary itself: COMP_LINE gets the candidates.
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "HEISTSTAT_TEST_CHILD=1", "COMP_LINE=heiststat ru", "COMP_POINT=12")
	b, err := cmd.Output()
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"run", "runs"}, strings.Fields(string(b)))
}

func TestQueryIsReadOnly(t *testing.T) {
	cfg, _ := published(t)
	for _, q := range []string{"drop table incidents", "drop table incidents; select 1", "create table x as select 1", "copy incidents to '/tmp/x.csv'"} {
		var out, errb bytes.Buffer
		require.Equal(t, exitUsage, run([]string{"query", "-c", cfg, q}, &out, &errb), q)
		require.Regexp(t, "read-only|one query", errb.String(), q)
	}
	var out, errb bytes.Buffer
	require.Equal(t, exitOK, run([]string{"query", "-c", cfg, "describe incidents"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "incident_id")
}

func TestReportMoneyAndFilters(t *testing.T) {
	for in, want := range map[string]string{"2013781046.38": "$2.01bn", "673928.05": "$674k", "5600000.00": "$5.6m", "12.00": "$12", "-3500000000.00": "-$3.50bn"} {
		require.Equal(t, want, money(in, "usd", false), in)
	}
	require.Equal(t, "£673.9m", money("673928050.00", "gbp", false))
	require.Equal(t, "$2013781046.38", money("2013781046.38", "usd", true))

	cfg, _ := published(t)
	var out, errb bytes.Buffer
	require.Equal(t, exitFailed, run([]string{"report", "-c", cfg, "--actor", "Lazarus"}, &out, &errb))
	require.Contains(t, errb.String(), "actors: DPRK")
	require.Regexp(t, `years:\s+\d{4}-\d{4}`, errb.String())

	out.Reset()
	require.Equal(t, exitOK, run([]string{"report", "-c", cfg, "--exact"}, &out, &errb), errb.String())
	require.Regexp(t, `\$\d+\.\d\d\s`, out.String())
}

func TestUnknownConfigKeyIsAUsageErrorWithASuggestion(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(p, []byte("currencys: [EUR]\nsources:\n  - {name: a, type: curated_incidents, locaton: x}\n"), 0o644))
	var out, errb bytes.Buffer
	require.Equal(t, exitUsage, run([]string{"run", "-c", p}, &out, &errb))
	require.Contains(t, errb.String(), "line 1: unknown key currencys (did you mean currencies?)")
	require.Contains(t, errb.String(), "line 3: unknown key locaton (did you mean location?)")
}

// A run stopped by SIGTERM is interrupted, not failed: exit 143, a WARN
// line, "interrupted" in the run history, and nothing published.
func TestSIGTERMInterruptsARun(t *testing.T) {
	dir := t.TempDir()
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer hang.Close()
	cfg := fixtureConfig(t, dir, "")
	editConfig(t, cfg, "sources:\n", "sources:\n  - {name: slow, type: defillama_hacks, location: \""+hang.URL+"/hacks\"}\n")

	c := startChild(t, "run", "-c", cfg, "--log-format", "json")
	defer c.cmd.Process.Kill()
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		t.Fatal("the run never fetched: " + c.stderr.String())
	}
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 128+int(syscall.SIGTERM), c.wait(), c.stderr.String())
	require.Contains(t, c.stderr.String(), `"level":"WARN","msg":"run interrupted: nothing published"`)
	require.NotContains(t, c.stderr.String(), `"level":"ERROR"`)
	require.NoDirExists(t, filepath.Join(dir, "out", "current"))

	code, stdout, stderr := runChild(t, "runs", "-c", cfg)
	require.Equal(t, exitOK, code, stderr)
	require.Regexp(t, `(?m)^\S+\s+\S+ \S+\s+\S+\s+interrupted\s`, stdout)
}
