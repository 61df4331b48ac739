package output

import (
	"fmt"
	"math"
	"strings"
)

var currencySymbols = map[string]string{"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥"}

// CurrencySymbol is the sign people write before an amount: $, £, €, ¥, or
// the ISO code and a space.
func CurrencySymbol(ccy string) string {
	ccy = strings.ToUpper(ccy)
	if s, ok := currencySymbols[ccy]; ok {
		return s
	}
	return ccy + " "
}

// Money is the one way amounts are printed for people, in the report and on
// the terminal: $2.01bn, £673.9m, $674k, $12.
func Money(ccy string, v float64) string {
	sym, sign := CurrencySymbol(ccy), ""
	if v < 0 {
		sign, v = "-", -v
	}
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%s%s%.2fbn", sign, sym, v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%s%s%.1fm", sign, sym, v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%s%s%.0fk", sign, sym, v/1e3)
	default:
		return fmt.Sprintf("%s%s%.0f", sign, sym, math.Round(v))
	}
}

// YoYArrow shows a YoY percentage with its direction; empty when undefined.
func YoYArrow(p *float64) string {
	switch {
	case p == nil:
		return ""
	case *p > 0:
		return fmt.Sprintf("▲ %+.1f%%", *p)
	case *p < 0:
		return fmt.Sprintf("▼ %+.1f%%", *p)
	default:
		return "► 0.0%"
	}
}

// Percent shows a percentage to one decimal; empty when undefined.
func Percent(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%.1f%%", *p)
}
