package pipeline

// Categories are the incident categories that sql/seeds/incident_categories.csv
// maps feed text to; theft_categories picks among them.
var Categories = []string{"hack_exploit", "key_compromise", "phishing", "rug_pull_scam", "other"}
