// Package mailer sends the node's mails over SMTP (invitations of guests). It is wired
// only when smtp_host is configured; without it the node sends no mail at all.
package mailer

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/wneessen/go-mail"
)

// Mailer sends mail through one SMTP server. Each mail opens its own connection: the
// node sends few mails, and a kept connection would only time out in between.
type Mailer struct {
	host    string
	opts    []mail.Option
	from    string
	lang    string
	timeout time.Duration
}

// DefaultTimeout bounds one mail's connection, dialogue and transfer.
const DefaultTimeout = 15 * time.Second

// New builds a mailer from the node's SMTP settings, which config has validated.
func New(cfg config.Config) (*Mailer, error) {
	if cfg.SMTPHost == "" {
		return nil, fmt.Errorf("mailer: smtp_host is not set")
	}
	opts := []mail.Option{mail.WithPort(cfg.SMTPPort), mail.WithTimeout(DefaultTimeout)}
	switch cfg.SMTPTLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default: // starttls: refuse to send when the server does not offer it
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if cfg.SMTPUsername != "" {
		auth := mail.SMTPAuthAutoDiscover
		if cfg.SMTPTLS == "none" {
			// The operator chose a plain connection (a relay on the same host): PLAIN is
			// what such relays offer, and go-mail only sends it in clear when told to.
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(cfg.SMTPUsername),
			mail.WithPassword(cfg.SMTPPassword))
	}
	if _, err := mail.NewClient(cfg.SMTPHost, opts...); err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	return &Mailer{host: cfg.SMTPHost, opts: opts, from: cfg.SMTPFrom, lang: cfg.Language, timeout: DefaultTimeout}, nil
}

// SendInvitation mails a guest invitation: who invites, into which groups, the link and
// until when it works. The text is in the node's default language.
func (m *Mailer) SendInvitation(ctx context.Context, to, inviterName, siteName, link string, groups []string, expires time.Time) error {
	data := invitationData{
		Inviter: inviterName, Site: siteName, Link: link, Groups: groups,
		Expires: expires.UTC().Format("2006-01-02 15:04 UTC"),
	}
	tx := texts[m.lang]
	if tx == nil {
		tx = texts["en"]
	}
	msg := mail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("sender %q: %w", m.from, err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(fmt.Sprintf(tx.subject, siteName))
	msg.SetDate()
	msg.SetMessageID()
	var plain, html bytes.Buffer
	if err := tx.text.Execute(&plain, data); err != nil {
		return fmt.Errorf("render mail: %w", err)
	}
	if err := tx.html.Execute(&html, data); err != nil {
		return fmt.Errorf("render mail: %w", err)
	}
	msg.SetBodyString(mail.TypeTextPlain, plain.String())
	msg.AddAlternativeString(mail.TypeTextHTML, html.String())
	return m.send(ctx, msg)
}

func (m *Mailer) send(ctx context.Context, msg *mail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	c, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// invitationData fills the invitation templates.
type invitationData struct {
	Inviter, Site, Link, Expires string
	Groups                       []string
}

// mailTexts are one language's invitation mail.
type mailTexts struct {
	subject string
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

var texts = map[string]*mailTexts{
	"en": {
		subject: "You are invited to Atrium %s",
		text: texttemplate.Must(texttemplate.New("en").Parse(`Hello,

{{.Inviter}} invites you as a guest to Atrium {{.Site}}, into these groups:
{{range .Groups}}
  - {{.}}{{end}}

Choose a username and a password here to join:

  {{.Link}}

The link works once, until {{.Expires}}. If you did not expect this mail, ignore it.
`)),
		html: htmltemplate.Must(htmltemplate.New("en").Parse(`<!doctype html>
<html lang="en"><body>
<p>Hello,</p>
<p>{{.Inviter}} invites you as a guest to Atrium {{.Site}}, into these groups:</p>
<ul>{{range .Groups}}<li>{{.}}</li>{{end}}</ul>
<p><a href="{{.Link}}">Choose a username and a password to join</a></p>
<p>The link works once, until {{.Expires}}. If you did not expect this mail, ignore it.</p>
</body></html>
`)),
	},
	"de": {
		subject: "Einladung zu Atrium %s",
		text: texttemplate.Must(texttemplate.New("de").Parse(`Hallo,

{{.Inviter}} lädt Sie als Gast zu Atrium {{.Site}} ein, in diese Gruppen:
{{range .Groups}}
  - {{.}}{{end}}

Wählen Sie hier einen Benutzernamen und ein Passwort, um beizutreten:

  {{.Link}}

Der Link gilt einmal, bis {{.Expires}}. Wenn Sie diese Mail nicht erwartet haben, ignorieren Sie sie.
`)),
		html: htmltemplate.Must(htmltemplate.New("de").Parse(`<!doctype html>
<html lang="de"><body>
<p>Hallo,</p>
<p>{{.Inviter}} lädt Sie als Gast zu Atrium {{.Site}} ein, in diese Gruppen:</p>
<ul>{{range .Groups}}<li>{{.}}</li>{{end}}</ul>
<p><a href="{{.Link}}">Benutzernamen und Passwort wählen und beitreten</a></p>
<p>Der Link gilt einmal, bis {{.Expires}}. Wenn Sie diese Mail nicht erwartet haben, ignorieren Sie sie.</p>
</body></html>
`)),
	},
}
