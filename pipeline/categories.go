package pipeline

// Categories are the incident categories that sql/seeds/incident_categories.csv
// and the reviews (sql/seeds/incident_reviews.csv) give incidents;
// theft_categories picks the ones counted as thefts. The others are losses
// nobody stole: scams, collapses, operator fraud, frozen funds, market events,
// liquidations and seizure values.
var Categories = []string{
	"hack_exploit", "key_compromise", "phishing", "other",
	"rug_pull_scam", "exchange_collapse", "operator_fraud", "funds_frozen",
	"market_event", "price_liquidation", "notional_mint", "seizure_value",
}
