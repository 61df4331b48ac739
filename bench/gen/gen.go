// Package gen writes synthetic heiststat feeds in the real formats, seeded
// and deterministic (same seed and scale, same bytes), for the benchmarks:
// DeFiLlama /hacks JSON, yfinance price CSVs (three header rows), the ECB
// eurofxref-hist CSV (newest first, trailing comma) and a curated incident
// CSV with native stolen assets, so valuation against the price series runs
// at scale.
package gen

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heiststat/heiststat/sources/curated"
)

// Version changes whenever the output of Generate changes, so cached inputs
// made by an older generator are not reused. 2: victims are distinct
// incidents to heiststat's matching rules (see victimName and amountInClass).
const Version = "2"

// The real snapshot's sizes: DeFiLlama records, curated incidents and priced assets.
const (
	baseHacks   = 538
	baseCurated = 47
	baseAssets  = 13
	maxAssets   = 2000
)

// Ten years of days: prices and FX cover all of it, incidents fall inside it.
var (
	firstDay = time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2026, 5, 28, 0, 0, 0, 0, time.UTC)
)

// Spec says what to generate.
type Spec struct {
	Scale int    // multiple of the real snapshot's incident count (1, 100, 1000)
	Seed  uint64 // the same seed gives the same bytes
}

// Hacks, Curated and Assets are the row counts a spec produces.
func (s Spec) Hacks() int   { return baseHacks * s.Scale }
func (s Spec) Curated() int { return baseCurated * s.Scale }

// Assets grows with the scale up to 2,000 price series.
func (s Spec) Assets() int { return min(maxAssets, max(baseAssets, 2*s.Scale)) }

// Layout is where Generate puts each feed under its folder; a config points
// the sources at these.
const (
	HacksFile   = "defillama/hacks.json"
	CuratedFile = "curated/incidents.csv"
	PricesDir   = "yfinance"
	ECBFile     = "ecb/eurofxref-hist.csv"
)

// realSymbols are the real snapshot's yfinance assets; the rest are made up.
var realSymbols = []string{"BTC", "ETH", "USDC", "BNB", "XRP", "SOL", "ADA", "DOGE", "TRX", "AVAX", "LINK", "LTC", "MATIC"}

// series is one asset's daily USD closes, from start (an index into days).
type series struct {
	symbol string
	start  int
	close  []float64
}

// Generate writes every feed of spec under dir.
func Generate(dir string, spec Spec) error {
	if spec.Scale < 1 {
		return fmt.Errorf("scale must be at least 1, got %d", spec.Scale)
	}
	days := int(lastDay.Sub(firstDay).Hours()/24) + 1
	// One stream per feed, so adding rows to one feed leaves the others' bytes alone.
	rng := func(stream uint64) *rand.Rand { return rand.New(rand.NewPCG(spec.Seed, stream)) }
	assets := makeSeries(rng(1), spec.Assets(), days)
	steps := []func() error{
		func() error { return writePrices(filepath.Join(dir, PricesDir), rng(2), assets) },
		func() error { return writeECB(filepath.Join(dir, ECBFile), rng(3), days) },
		func() error { return writeHacks(filepath.Join(dir, HacksFile), rng(4), spec.Hacks(), days) },
		func() error {
			return writeCurated(filepath.Join(dir, CuratedFile), rng(5), spec.Curated(), assets, days)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func makeSeries(r *rand.Rand, n, days int) []series {
	out := make([]series, n)
	for i := range out {
		sym := fmt.Sprintf("TK%04d", i)
		if i < len(realSymbols) {
			sym = realSymbols[i]
		}
		start := 0
		if i >= len(realSymbols) && r.IntN(10) < 3 {
			start = r.IntN(days / 2) // listed later: earlier thefts fall back to the reported figure
		}
		p := math.Exp(r.Float64()*16 - 7) // 0.001 to ~9,000 USD
		cl := make([]float64, days-start)
		for d := range cl {
			p *= math.Exp(r.NormFloat64() * 0.04)
			// yfinance stores float32 closes: the CSV shows their float64 expansion.
			cl[d] = float64(float32(p))
		}
		out[i] = series{symbol: sym, start: start, close: cl}
	}
	return out
}

func create(path string) (*os.File, *bufio.Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, bufio.NewWriterSize(f, 1<<20), nil
}

func finish(f *os.File, w *bufio.Writer) error {
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func writePrices(dir string, r *rand.Rand, assets []series) error {
	for _, s := range assets {
		f, w, err := create(filepath.Join(dir, s.symbol+"-USD.csv"))
		if err != nil {
			return err
		}
		t := s.symbol + "-USD"
		fmt.Fprintf(w, "Price,Close,High,Low,Open,Volume\nTicker,%s,%s,%s,%s,%s\nDate,,,,,\n", t, t, t, t, t)
		for i, c := range s.close {
			day := firstDay.AddDate(0, 0, s.start+i)
			hi := float64(float32(c * (1 + r.Float64()*0.05)))
			lo := float64(float32(c * (1 - r.Float64()*0.05)))
			op := float64(float32(lo + (hi-lo)*r.Float64()))
			fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d\n", day.Format(time.DateOnly), num(c), num(hi), num(lo), num(op), r.Int64N(5e10))
		}
		if err := finish(f, w); err != nil {
			return err
		}
	}
	return nil
}

// ecbCurrencies is the real file's header; the zero entries are discontinued
// currencies, always N/A, as in the ECB's own file.
var ecbCurrencies = []struct {
	code string
	rate float64
}{
	{"USD", 1.12}, {"JPY", 140}, {"BGN", 1.9558}, {"CYP", 0}, {"CZK", 25}, {"DKK", 7.46}, {"EEK", 0},
	{"GBP", 0.86}, {"HUF", 380}, {"LTL", 0}, {"LVL", 0}, {"MTL", 0}, {"PLN", 4.4}, {"ROL", 0},
	{"RON", 4.9}, {"SEK", 10.8}, {"SIT", 0}, {"SKK", 0}, {"CHF", 1.0}, {"ISK", 145}, {"NOK", 10.5},
	{"HRK", 7.5}, {"RUB", 80}, {"TRL", 0}, {"TRY", 20}, {"AUD", 1.6}, {"BRL", 5.5}, {"CAD", 1.48},
	{"CNY", 7.6}, {"HKD", 8.6}, {"IDR", 16500}, {"ILS", 4.0}, {"INR", 85}, {"KRW", 1400}, {"MXN", 20},
	{"MYR", 4.8}, {"NZD", 1.75}, {"PHP", 60}, {"SGD", 1.48}, {"THB", 37}, {"ZAR", 19},
}

func writeECB(path string, r *rand.Rand, days int) error {
	// Walk forward so each day's rate follows the previous one, then write
	// newest first as the ECB does.
	var rows []string
	rates := make([]float64, len(ecbCurrencies))
	for i, c := range ecbCurrencies {
		rates[i] = c.rate
	}
	for d := range days {
		day := firstDay.AddDate(0, 0, d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || targetHoliday(day) {
			continue
		}
		var b strings.Builder
		b.WriteString(day.Format(time.DateOnly))
		for i, c := range ecbCurrencies {
			b.WriteByte(',')
			rates[i] *= math.Exp(r.NormFloat64() * 0.004)
			switch {
			case c.rate == 0, c.code == "HRK" && day.Year() >= 2023, c.code == "RUB" && day.After(time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)):
				b.WriteString("N/A")
			default:
				b.WriteString(strconv.FormatFloat(rates[i], 'f', 4, 64))
			}
		}
		b.WriteString(",\n")
		rows = append(rows, b.String())
	}
	f, w, err := create(path)
	if err != nil {
		return err
	}
	w.WriteString("Date")
	for _, c := range ecbCurrencies {
		w.WriteString("," + c.code)
	}
	w.WriteString(",\n")
	for i := len(rows) - 1; i >= 0; i-- {
		w.WriteString(rows[i])
	}
	return finish(f, w)
}

// targetHoliday covers the fixed-date TARGET closing days.
func targetHoliday(d time.Time) bool {
	m, day := d.Month(), d.Day()
	return (m == time.January && day == 1) || (m == time.May && day == 1) || (m == time.December && (day == 25 || day == 26))
}

// hack is one DeFiLlama /hacks record; pointers are JSON nulls.
type hack struct {
	Date             int64    `json:"date"`
	Name             string   `json:"name"`
	Classification   *string  `json:"classification"`
	Technique        string   `json:"technique"`
	Amount           any      `json:"amount"`
	Chain            []string `json:"chain"`
	BridgeHack       bool     `json:"bridgeHack"`
	TargetType       string   `json:"targetType"`
	Source           string   `json:"source"`
	ReturnedFunds    *int64   `json:"returnedFunds"`
	DefillamaID      *int64   `json:"defillamaId"`
	ParentProtocolID string   `json:"parentProtocolId,omitempty"`
	Language         *string  `json:"language"`
}

var (
	classifications = []string{"Protocol Logic", "Infrastructure", "Ecosystem", "Rugpull", "Smart Contract Language"}
	techniques      = []string{"Flashloan Price Oracle Attack", "Private Key Compromised", "Reentrancy", "Access Control", "Infinite Mint and Dump", "Frontend Attack"}
	chains          = []string{"Ethereum", "BSC", "Arbitrum", "Polygon", "Solana", "Base", "Optimism", "Avalanche", "Blast", "Tron"}
	targetTypes     = []string{"DeFi Protocol", "DeFi Protocol", "DeFi Protocol", "DeFi Protocol", "CEX", "Other", "Wallet", "Gaming", "Chain"}
	languages       = []string{"Solidity", "Rust", "Vyper"}
)

func ptr[T any](v T) *T { return &v }

// The generated victims must be distinct incidents to heiststat's matching
// (int_incident_clusters), so that its incident counts and totals are the
// reference's, which does no matching. Its rules and how the feeds avoid them:
//   - the same name_key within 7 days: names repeat only after 8 days;
//   - similar names (Jaro-Winkler >= 0.8, or one containing the other) within
//     3 days: every name is one of 2,401 words of 8 letters that pairwise
//     agree in at most 3 positions and never share a letter elsewhere, so
//     Jaro-Winkler stays below 0.71 and none contains another;
//   - amounts within 0.95 on the same or next day in different feeds: the
//     two feeds' amounts fall in disjoint classes of log-amount (amountInClass).
const (
	nameWords    = 7 * 7 * 7 * 7 // polynomials of degree <= 3 over GF(7)
	curatedWords = 201           // the curated list's share of the words, the rest is DeFiLlama's
)

// nameLetters gives each position its own 7 letters, by position mod 4:
// Jaro only matches a letter within 3 positions, so two words can share a
// letter only in the same position.
var nameLetters = [4]string{"abcdefg", "hijklmn", "opqrstu", "vwxyz23"}

// victimName is word k: the polynomial with base-7 digits of k as
// coefficients, evaluated at 0..6, then its leading coefficient (an extended
// Reed-Solomon code, minimum distance 5: two words agree in at most 3 of the
// 8 positions).
func victimName(k int) string {
	c := [4]int{k % 7, k / 7 % 7, k / 49 % 7, k / 343 % 7}
	b := make([]byte, 8)
	for x := range 7 {
		b[x] = nameLetters[x%4][(c[0]+x*(c[1]+x*(c[2]+x*c[3])))%7]
	}
	b[7] = nameLetters[3][c[3]]
	b[0] -= 'a' - 'A'
	return string(b)
}

// nameSlots gives record i the word of its rank in date order, from the
// feed's own range of words: a word comes back after size records of the
// feed, which at 1000x is more than 8 days.
func nameSlots(ds []int, first, size int) []int {
	order := make([]int, len(ds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Or(cmp.Compare(ds[a], ds[b]), cmp.Compare(a, b)) })
	slot := make([]int, len(ds))
	for rank, i := range order {
		slot[i] = first + rank%size
	}
	return slot
}

// amountInClass moves usd within its step of 0.25 in natural log to a band
// of width 0.07 starting at 0.125*class: a DeFiLlama (class 0) and a curated
// (class 1) amount are then always more than 0.055 apart in log, a ratio
// below 0.95.
func amountInClass(usd float64, class int) int64 {
	l := math.Log(usd)
	step := math.Floor(l / 0.25)
	return int64(math.Round(math.Exp(step*0.25 + 0.125*float64(class) + (l-step*0.25)/0.25*0.07)))
}

// lognormalUSD draws a loss in whole dollars, about $10k to $1B.
func lognormalUSD(r *rand.Rand) int64 {
	return int64(min(math.Exp(14.5+r.NormFloat64()*1.8), 2e9))
}

func writeHacks(path string, r *rand.Rand, n, days int) error {
	f, w, err := create(path)
	if err != nil {
		return err
	}
	ds := make([]int, n)
	for i := range ds {
		ds[i] = r.IntN(days)
	}
	names := nameSlots(ds, curatedWords, nameWords-curatedWords)
	w.WriteByte('[')
	for i := range n {
		day := firstDay.AddDate(0, 0, ds[i])
		h := hack{
			Date:       day.Unix(),
			Name:       victimName(names[i]) + " Protocol",
			Technique:  techniques[r.IntN(len(techniques))],
			Amount:     amountInClass(float64(lognormalUSD(r)), 0),
			Chain:      []string{chains[r.IntN(len(chains))]},
			BridgeHack: r.IntN(40) == 0,
			TargetType: targetTypes[r.IntN(len(targetTypes))],
		}
		// The real feed's quirks, at about its rates.
		switch k := r.IntN(1000); {
		case k < 17:
			h.Amount = nil
		case k < 18:
			h.Amount = "unknown" // quarantined: unparseable amount
		}
		if r.IntN(100) >= 1 {
			h.Classification = ptr(classifications[r.IntN(len(classifications))])
		}
		if r.IntN(50) == 0 {
			h.Chain = []string{}
		}
		if r.IntN(20) == 0 {
			if a, ok := h.Amount.(int64); ok {
				h.ReturnedFunds = ptr(a / int64(1+r.IntN(4)))
			}
		}
		if r.IntN(5) > 0 {
			h.DefillamaID = ptr(int64(1000 + i))
			h.Language = ptr(languages[r.IntN(len(languages))])
		}
		if r.IntN(10) == 0 {
			h.ParentProtocolID = fmt.Sprintf("parent#protocol-%d", i)
		}
		if r.IntN(200) == 0 {
			h.Name = victimName(names[i]) + "\n\nProtocol"
		}
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(b)
	}
	w.WriteByte(']')
	return finish(f, w)
}

func writeCurated(path string, r *rand.Rand, n int, assets []series, days int) error {
	f, w, err := create(path)
	if err != nil {
		return err
	}
	w.WriteString(curated.Header + "\n")
	cw := csv.NewWriter(w)
	strengths := []string{"G", "F", "C"}
	types := []string{"cex", "bridge", "defi", "wallet", "payments", "other"}
	ds := make([]int, n)
	for i := range ds {
		ds[i] = r.IntN(days)
	}
	names := nameSlots(ds, 0, curatedWords)
	for i := range n {
		d := ds[i]
		day := firstDay.AddDate(0, 0, d)
		target := float64(amountInClass(float64(lognormalUSD(r))*5, 1))
		// One to three native assets; an asset's price on the theft date
		// sets a quantity near the reported figure.
		var items []string
		k := 1 + r.IntN(3)
		for range k {
			a := assets[r.IntN(len(assets))]
			price := a.close[max(0, d-a.start)] // before listing: no price, the reported figure stands
			qty := target / float64(k) / price
			items = append(items, strconv.FormatFloat(qty, 'f', 4, 64)+" "+a.symbol)
		}
		if r.IntN(20) == 0 {
			items = append(items, "1000.5 XEM") // no price series: valued at the reported figure
		}
		complete := "true"
		if r.IntN(5) == 0 {
			complete = "false"
		}
		actor, group, strength := "", "", ""
		if r.IntN(4) > 0 {
			actor, group, strength = "DPRK", "Lazarus Group", strengths[r.IntN(3)]
		}
		returned := ""
		if r.IntN(10) == 0 {
			returned = strconv.FormatInt(int64(target/10), 10)
		}
		rec := []string{
			fmt.Sprintf("%s-victim-%d", day.Format("2006"), i), day.Format(time.DateOnly), "day",
			victimName(names[i]) + " Exchange", types[r.IntN(len(types))], "", actor, group, strength,
			"synthetic", "https://example.org/incident/" + strconv.Itoa(i), strings.Join(items, "; "), complete,
			strconv.FormatInt(int64(target), 10), "", "", returned, chains[r.IntN(len(chains))], "Private key compromise", "", "synthetic benchmark row",
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return finish(f, w)
}
