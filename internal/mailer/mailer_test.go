package mailer

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/config"
)

// fakeSMTP is an in-process SMTP server speaking just enough of the protocol for one
// client: EHLO/HELO, optional AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []received
	// auth is the AUTH PLAIN credential the server wants; "" offers no AUTH.
	auth string
}

// received is one mail as the server got it.
type received struct {
	from, auth string
	to         []string
	data       string
}

func startFakeSMTP(t *testing.T, auth string) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{ln: ln, auth: auth}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *fakeSMTP) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *fakeSMTP) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(lines ...string) {
		for _, l := range lines {
			_, _ = io.WriteString(conn, l+"\r\n")
		}
	}
	reply("220 fake ESMTP")
	var cur received
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			if s.auth != "" {
				reply("250-fake", "250-AUTH PLAIN", "250 8BITMIME")
			} else {
				reply("250-fake", "250 8BITMIME")
			}
		case "HELO":
			reply("250 fake")
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 && parts[1] == "PLAIN" {
				b, _ := base64.StdEncoding.DecodeString(parts[2])
				cur.auth = string(b)
				if cur.auth == s.auth {
					reply("235 ok")
					continue
				}
			}
			reply("535 no")
		case "MAIL":
			cur.from = strings.TrimPrefix(line[5:], "FROM:")
			reply("250 ok")
		case "RCPT":
			cur.to = append(cur.to, strings.TrimPrefix(line[5:], "TO:"))
			reply("250 ok")
		case "DATA":
			reply("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = received{auth: cur.auth}
			reply("250 queued")
		case "RSET":
			cur = received{auth: cur.auth}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func (s *fakeSMTP) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// parts decodes a multipart/alternative mail into its parts by media type.
func parts(t *testing.T, data string) (*mail.Message, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, data)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p // multipart decodes quoted-printable itself
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, p)
		} else if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[pt] = string(b)
	}
	return msg, out
}

func testConfig(port int) config.Config {
	c := config.Default()
	c.SMTPHost, c.SMTPPort, c.SMTPTLS, c.SMTPFrom = "127.0.0.1", port, "none", "Atrium Berlin <atrium@berlin.example>"
	return c
}

func TestSendInvitation(t *testing.T) {
	link := "http://127.0.0.1:8080/invite/" + strings.Repeat("Ab_-", 10) + "xyz"
	expires := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, lang, want string
		user, pass       string
	}{
		{name: "english", lang: "en", want: "invites you as a guest"},
		{name: "german with auth", lang: "de", want: "lädt Sie als Gast", user: "relay", pass: "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := ""
			if tt.user != "" {
				auth = "\x00" + tt.user + "\x00" + tt.pass
			}
			srv := startFakeSMTP(t, auth)
			cfg := testConfig(srv.port())
			cfg.Language, cfg.SMTPUsername, cfg.SMTPPassword = tt.lang, tt.user, tt.pass
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = m.SendInvitation(context.Background(), "carol@partner.example", "Ann <Admin>", "Berlin", link,
				[]string{"Launch & Co", "Berlin office"}, expires)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("server got %d mails, want 1", len(got))
			}
			if !strings.Contains(got[0].from, "atrium@berlin.example") || len(got[0].to) != 1 ||
				!strings.Contains(got[0].to[0], "carol@partner.example") {
				t.Fatalf("envelope from %q to %q", got[0].from, got[0].to)
			}
			if got[0].auth != auth {
				t.Fatalf("auth %q, want %q", got[0].auth, auth)
			}
			msg, p := parts(t, got[0].data)
			if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); !strings.Contains(subj, "Berlin") {
				t.Fatalf("subject %q", subj)
			}
			plain, html := p["text/plain"], p["text/html"]
			for _, s := range []string{link, tt.want, "Launch & Co", "Ann <Admin>", "2026-12-02 09:00 UTC"} {
				if !strings.Contains(plain, s) {
					t.Fatalf("plain text lacks %q:\n%s", s, plain)
				}
			}
			for _, s := range []string{`href="` + link + `"`, "Launch &amp; Co", "Ann &lt;Admin&gt;"} {
				if !strings.Contains(html, s) {
					t.Fatalf("html lacks %q:\n%s", s, html)
				}
			}
		})
	}
}

func TestSendInvitationFails(t *testing.T) {
	// A port nobody listens on: the error comes back instead of a hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	m, err := New(testConfig(port))
	if err != nil {
		t.Fatal(err)
	}
	err = m.SendInvitation(context.Background(), "carol@partner.example", "Ann", "Berlin", "http://x/invite/t", []string{"g"}, time.Now())
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(port)) && !strings.Contains(err.Error(), "dial") {
		t.Fatalf("want a dial error, got %v", err)
	}
	// starttls is mandatory by default: a server without STARTTLS gets no mail.
	srv := startFakeSMTP(t, "")
	cfg := testConfig(srv.port())
	cfg.SMTPTLS = "starttls"
	m, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SendInvitation(context.Background(), "carol@partner.example", "Ann", "Berlin", "http://x/invite/t", []string{"g"}, time.Now()); err == nil {
		t.Fatal("mail sent without STARTTLS")
	}
	if n := len(srv.received()); n != 0 {
		t.Fatalf("server got %d mails", n)
	}
	if _, err := New(config.Default()); err == nil {
		t.Fatal("New without smtp_host must fail")
	}
}
