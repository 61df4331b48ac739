package schedule

import (
	"net/http"
	"time"

	"github.com/heiststat/heiststat/pipeline"
	"github.com/heiststat/heiststat/pipeline/landing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what the scheduler exposes on /metrics.
type metrics struct {
	reg               *prometheus.Registry
	sourceLastSuccess *prometheus.GaugeVec
	sourceFailures    *prometheus.CounterVec
	jobs              *prometheus.CounterVec
	jobDuration       *prometheus.HistogramVec
	rowsPublished     *prometheus.GaugeVec
	lastPublish       prometheus.Gauge
}

func newMetrics(sourceNames []string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		sourceLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "heiststat_source_last_success_timestamp_seconds",
			Help: "Unix time of the last successful fetch of each source.",
		}, []string{"source"}),
		sourceFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "heiststat_source_fetch_failures_total",
			Help: "Failed fetches of each source.",
		}, []string{"source"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "heiststat_jobs_total",
			Help: "Finished scheduled jobs (fetch, build) by status: ok, degraded, unchanged, failed, lock_busy, interrupted.",
		}, []string{"job", "status"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "heiststat_job_duration_seconds",
			Help:    "Duration of scheduled jobs (fetch, build).",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 12), // 0.25 s to about 8.5 min
		}, []string{"job"}),
		rowsPublished: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "heiststat_rows_published",
			Help: "Rows in each file of the current release, as of the last build.",
		}, []string{"file"}),
		lastPublish: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "heiststat_last_publish_timestamp_seconds",
			Help: "Unix time of the last build that published a release.",
		}),
	}
	m.reg.MustRegister(m.sourceLastSuccess, m.sourceFailures, m.jobs, m.jobDuration, m.rowsPublished, m.lastPublish,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, name := range sourceNames {
		m.sourceFailures.WithLabelValues(name) // exported as 0 before the first failure
	}
	return m
}

func (m *metrics) job(job, status string, took time.Duration) {
	m.jobs.WithLabelValues(job, status).Inc()
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}

func (m *metrics) fetched(e landing.Extracted, at time.Time) {
	if e.Freshness == landing.Live {
		m.sourceLastSuccess.WithLabelValues(e.Source.Name()).Set(float64(at.Unix()))
	} else if e.FetchErr != nil {
		m.sourceFailures.WithLabelValues(e.Source.Name()).Inc()
	}
}

func (m *metrics) built(res *pipeline.Result, at time.Time) {
	if !res.Unchanged {
		m.lastPublish.Set(float64(at.Unix()))
	}
	for _, f := range res.Manifest.Files {
		m.rowsPublished.WithLabelValues(f.Path).Set(float64(f.Rows))
	}
}

// handler serves /metrics (Prometheus text format) and /healthz.
func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return mux
}
