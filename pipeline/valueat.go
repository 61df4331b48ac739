package pipeline

import (
	"context"
	"database/sql"
	"fmt"
)

// valueAtNotes says how many incidents valued from native amounts could not
// be re-valued at value_at (no price within max_price_age_days), and whether
// the FX rates used are older than the value date.
func valueAtNotes(ctx context.Context, conn *sql.Conn, cfg *Config) ([]string, error) {
	if cfg.ValueAt == "" {
		return nil, nil
	}
	var missing int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM fct_incidents i
		WHERE valuation_method = 'native_at_theft_date'
		AND NOT EXISTS (SELECT 1 FROM fct_value_at v WHERE v.incident_id = i.incident_id AND v.currency = 'USD')`).Scan(&missing); err != nil {
		return nil, err
	}
	var notes []string
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%d incident(s) valued from native amounts could not be re-valued at %s (no price within max_price_age_days): their value_at_* columns are empty", missing, cfg.ValueAt))
	}
	var fxDate sql.NullString
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT strftime(max(fx_rate_date), '%%Y-%%m-%%d') FROM fct_value_at
		WHERE currency <> 'USD' AND value_date - fx_rate_date > %d`, staleDays)).Scan(&fxDate); err != nil {
		return nil, err
	}
	if fxDate.Valid {
		notes = append(notes, fmt.Sprintf("value_at %s is converted at the ECB rates of %s, more than %d days earlier (the FX data ends there): refresh the FX source", cfg.ValueAt, fxDate.String, staleDays))
	}
	return notes, nil
}
