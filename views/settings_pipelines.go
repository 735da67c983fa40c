package views

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/chartline/chartline/app/census"
	"github.com/chartline/chartline/app/config"
	"github.com/chartline/chartline/app/feed"
	"github.com/chartline/chartline/app/jsontime"
	"github.com/chartline/chartline/app/kafka"
	"github.com/chartline/chartline/app/schemareg"
)

// pipelineFields are the Settings screen's "Pipelines" group: the failover
// cluster, the Schema Registry and the census list (README "Failover
// cluster", "Schema Registry", "A ward's census"). The registry password
// typed here lives for this session only, like the SASL password.
type pipelineFields struct {
	failover      *widget.Entry
	failoverAfter *widget.Entry
	usePrimary    *widget.Button
	registry      *widget.Entry
	registryUser  *widget.Entry
	registryPass  *widget.Entry
	registryFile  *widget.Entry
	registryCA    *widget.Entry
	census        *widget.Entry
	retention     *widget.Entry
}

func newPipelineFields(e *env) *pipelineFields {
	p := &pipelineFields{
		failover: widget.NewMultiLineEntry(), failoverAfter: widget.NewEntry(),
		registry: widget.NewEntry(), registryUser: widget.NewEntry(), registryPass: widget.NewPasswordEntry(),
		registryFile: widget.NewEntry(), registryCA: widget.NewEntry(), census: widget.NewEntry(), retention: widget.NewEntry(),
	}
	p.failover.SetMinRowsVisible(2)
	p.failover.PlaceHolder = "host:port of the linked cluster, one a line (none: no failover)"
	p.registry.PlaceHolder = "https://registry:8081 (none: framed values accepted as they are)"
	p.registryFile.PlaceHolder = "or a file whose first line is the password"
	p.census.PlaceHolder = "a list name such as ward-7b (none: every patient)"
	p.usePrimary = widget.NewButton("Back to the primary cluster", func() {
		if e.session != nil {
			e.session.UseCluster(feed.Primary)
		}
	})
	if e.session != nil && e.session.IsDemo() {
		for _, w := range []fyne.Disableable{p.failover, p.failoverAfter, p.usePrimary, p.registry, p.registryUser,
			p.registryPass, p.registryFile, p.registryCA} {
			w.Disable()
		}
	}
	return p
}

// form lays the fields out.
func (p *pipelineFields) form() fyne.CanvasObject {
	return container.New(layout.NewFormLayout(),
		fieldLabel("Failover brokers"), p.failover,
		fieldLabel("Fail over after (seconds)"), p.failoverAfter,
		widget.NewLabel(""), container.NewHBox(p.usePrimary),
		fieldLabel("Schema Registry"), p.registry,
		fieldLabel("Registry user"), p.registryUser,
		fieldLabel("Registry password"), p.registryPass,
		fieldLabel("Registry password file"), p.registryFile,
		fieldLabel("Registry CA file"), p.registryCA,
		fieldLabel("Census list"), p.census,
		fieldLabel("Keep discharged charts (hours)"), p.retention,
	)
}

func (p *pipelineFields) fill(c config.Config) {
	p.failover.SetText(strings.Join(c.Conn.Failover, "\n"))
	after := time.Duration(c.FailoverAfter)
	if after <= 0 {
		after = feed.DefaultFailoverAfter
	}
	p.failoverAfter.SetText(strconv.FormatFloat(after.Seconds(), 'f', -1, 64))
	p.registry.SetText(c.SchemaRegistry.URL)
	p.registryUser.SetText(c.SchemaRegistry.User)
	p.registryPass.SetText(c.SchemaRegistry.Password)
	p.registryFile.SetText(c.SchemaRegistry.PasswordFile)
	p.registryCA.SetText(c.SchemaRegistry.TLS.CAFile)
	p.census.SetText(c.Census)
	ret := time.Duration(c.CensusRetention)
	if ret <= 0 {
		ret = census.DefaultRetention
	}
	p.retention.SetText(hoursText(ret))
}

// read lays the fields over c and reports what is wrong, field by field.
func (p *pipelineFields) read(c *config.Config, bad func(string, ...any)) {
	c.Conn.Failover = nil // none typed stays nil, not an empty list
	c.Conn.Failover = append(c.Conn.Failover, strings.FieldsFunc(p.failover.Text, func(r rune) bool { return r == '\n' || r == ',' || r == ' ' })...)
	if s, err := strconv.ParseFloat(strings.TrimSpace(p.failoverAfter.Text), 64); err != nil || s < 1 || s > 3600 {
		bad("Fail over after: give seconds between 1 and 3600 (default 15).")
	} else {
		c.FailoverAfter = jsontime.Duration(time.Duration(s * float64(time.Second)))
		if time.Duration(c.FailoverAfter) == feed.DefaultFailoverAfter {
			c.FailoverAfter = 0 // the default, so a later change of it applies here too
		}
	}
	c.SchemaRegistry = schemareg.Settings{URL: strings.TrimSpace(p.registry.Text), User: strings.TrimSpace(p.registryUser.Text),
		Password: p.registryPass.Text, PasswordFile: strings.TrimSpace(p.registryFile.Text),
		TLS: kafka.TLS{CAFile: strings.TrimSpace(p.registryCA.Text)}}
	if c.SchemaRegistry.On() {
		if _, err := schemareg.New(c.SchemaRegistry); err != nil {
			bad("Schema Registry: %v.", err)
		}
	}
	c.Census = strings.TrimSpace(p.census.Text)
	if c.Census != "" && !kafka.ValidCensusList(c.Census) {
		bad("Census list %q: use up to 64 letters, digits, '.', '_' or '-'.", c.Census)
	}
	if h, err := strconv.ParseFloat(strings.TrimSpace(p.retention.Text), 64); err != nil || h <= 0 || h > 24*90 {
		bad("Keep discharged charts: give hours above 0 and at most 2160 (default %s).", hoursText(census.DefaultRetention))
	} else {
		c.CensusRetention = jsontime.Duration(time.Duration(h * float64(time.Hour)))
		if time.Duration(c.CensusRetention) == census.DefaultRetention {
			c.CensusRetention = 0
		}
	}
}

// pipelinesChanged reports whether the feed must be restarted for these settings.
func pipelinesChanged(old, cfg config.Config) bool {
	return old.SchemaRegistry != cfg.SchemaRegistry || old.Census != cfg.Census ||
		old.FailoverAfter != cfg.FailoverAfter || old.CensusRetention != cfg.CensusRetention
}
