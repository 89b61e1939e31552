package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/activitypub"
)

// WebFinger constants.
const (
	// WebFingerPath is where a node answers WebFinger queries.
	WebFingerPath = "/.well-known/webfinger"
	// JRDContentType is the media type of a WebFinger answer.
	JRDContentType = "application/jrd+json"
	// RelSelf is the link relation pointing at the ActivityPub actor.
	RelSelf = "self"
	// RelProfilePage is the link relation pointing at the HTML profile.
	RelProfilePage = "http://webfinger.net/rel/profile-page"
	// MaxJRDBytes bounds a WebFinger answer read by the client.
	MaxJRDBytes = 64 << 10
)

// ErrInvalidAcct marks a resource that is not a valid acct:user@host[:port].
var ErrInvalidAcct = errors.New("federation: invalid acct resource")

// Acct is a WebFinger account: a user or group name on a node. Host includes the port,
// because two ports on one host are two nodes.
type Acct struct {
	User string
	Host string
}

// ParseAcct parses "acct:user@host:port", also accepting "user@host:port" and
// "@user@host:port" as typed by people. The host is lower-cased.
func ParseAcct(resource string) (Acct, error) {
	s := strings.TrimSpace(resource)
	s = strings.TrimPrefix(s, "acct:")
	s = strings.TrimPrefix(s, "@")
	user, host, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(host, "@") {
		return Acct{}, fmt.Errorf("%w: %q: want user@host", ErrInvalidAcct, resource)
	}
	if err := validAcctUser(user); err != nil {
		return Acct{}, fmt.Errorf("%w: %q: %v", ErrInvalidAcct, resource, err)
	}
	host = strings.ToLower(host)
	if err := validHostPort(host); err != nil {
		return Acct{}, fmt.Errorf("%w: %q: %v", ErrInvalidAcct, resource, err)
	}
	return Acct{User: user, Host: host}, nil
}

// String is the acct: URI of a.
func (a Acct) String() string { return "acct:" + a.User + "@" + a.Host }

// Handle is @user@host:port, as shown to people.
func (a Acct) Handle() string { return "@" + a.User + "@" + a.Host }

// validAcctUser allows the characters Atrium user and group names use.
func validAcctUser(u string) error {
	if u == "" || len(u) > 64 {
		return errors.New("user must be 1 to 64 bytes")
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Errorf("user has %q, outside [A-Za-z0-9_.-]", c)
		}
	}
	return nil
}

// validHostPort accepts host or host:port with a DNS name or IP literal, nothing else
// (no path, user info or query that could steer the lookup elsewhere).
func validHostPort(hp string) error {
	if hp == "" || len(hp) > 255 {
		return errors.New("empty or overlong host")
	}
	u, err := url.Parse("http://" + hp)
	if err != nil || u.Host != hp || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("bad host %q", hp)
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil || strings.HasPrefix(p, "0") {
			return fmt.Errorf("bad port %q", p)
		}
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil {
		return nil
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("bad host %q", h)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("bad host %q", h)
			}
		}
	}
	return nil
}

// JRD is a WebFinger answer (RFC 7033).
type JRD struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases,omitempty"`
	Links   []Link   `json:"links"`
}

// Link is one link of a JRD.
type Link struct {
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
	Href string `json:"href,omitempty"`
}

// NewJRD describes the actor behind acct; profileURL (the HTML page) may be empty.
func NewJRD(acct Acct, actorURI, profileURL string) JRD {
	j := JRD{
		Subject: acct.String(),
		Aliases: []string{actorURI},
		Links:   []Link{{Rel: RelSelf, Type: activitypub.ActivityContentType, Href: actorURI}},
	}
	if profileURL != "" {
		j.Aliases = append(j.Aliases, profileURL)
		j.Links = append(j.Links, Link{Rel: RelProfilePage, Type: "text/html", Href: profileURL})
	}
	return j
}

// ActorURI returns the href of the self link with an ActivityPub media type.
func (j JRD) ActorURI() (string, error) {
	for _, l := range j.Links {
		if l.Rel != RelSelf || !isActivityType(l.Type) {
			continue
		}
		if _, err := activitypub.ParseIRI(l.Href); err != nil {
			return "", fmt.Errorf("federation: webfinger self link: %w", err)
		}
		return l.Href, nil
	}
	return "", errors.New("federation: webfinger answer has no ActivityPub self link")
}

// isActivityType reports whether t is application/activity+json or the ActivityStreams
// profile of application/ld+json.
func isActivityType(t string) bool {
	mt, params, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	return mt == "application/activity+json" ||
		mt == "application/ld+json" && params["profile"] == activitypub.ActivityStreamsContext
}

// ErrNoSuchAcct means the node answered that it knows no such account or group.
var ErrNoSuchAcct = errors.New("no such account")

// WebFingerURL is the query URL for acct on its node; scheme is "http" or "https".
func WebFingerURL(scheme string, acct Acct) string {
	return scheme + "://" + acct.Host + WebFingerPath + "?resource=" + url.QueryEscape(acct.String())
}

// WebFingerClient resolves accts to actor IRIs over HTTP.
type WebFingerClient struct {
	// HTTP is the client used; it should have a timeout.
	HTTP *http.Client
	// Scheme is "https" or, on plain-HTTP intranets and in tests, "http".
	Scheme string
	// Signer signs the query when set, for nodes that answer only signed requests.
	Signer *Signer
}

// Resolve asks acct's node for the actor IRI of acct. The answer must be about acct and
// the actor must live on acct's node, so a node cannot claim another node's users.
func (c *WebFingerClient) Resolve(ctx context.Context, acct Acct) (string, error) {
	scheme := c.Scheme
	if scheme == "" {
		scheme = "https"
	}
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("federation: webfinger: bad scheme %q", scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, WebFingerURL(scheme, acct), nil)
	if err != nil {
		return "", fmt.Errorf("federation: webfinger %s: %w", acct, err)
	}
	req.Header.Set("Accept", JRDContentType)
	if c.Signer != nil {
		if err := c.Signer.Sign(req, nil); err != nil {
			return "", fmt.Errorf("federation: webfinger %s: %w", acct, err)
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("federation: webfinger %s: %w", acct, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return "", fmt.Errorf("federation: webfinger %s: %w", acct, ErrNoSuchAcct)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("federation: webfinger %s: status %d", acct, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxJRDBytes+1))
	if err != nil {
		return "", fmt.Errorf("federation: webfinger %s: read: %w", acct, err)
	}
	if len(b) > MaxJRDBytes {
		return "", fmt.Errorf("federation: webfinger %s: answer larger than %d bytes", acct, MaxJRDBytes)
	}
	var j JRD
	if err := json.Unmarshal(b, &j); err != nil {
		return "", fmt.Errorf("federation: webfinger %s: decode: %w", acct, err)
	}
	subj, err := ParseAcct(j.Subject)
	if err != nil || subj != acct {
		return "", fmt.Errorf("federation: webfinger %s: answer is about %q", acct, j.Subject)
	}
	actor, err := j.ActorURI()
	if err != nil {
		return "", fmt.Errorf("federation: webfinger %s: %w", acct, err)
	}
	if !activitypub.SameOrigin(actor, scheme+"://"+acct.Host) {
		return "", fmt.Errorf("federation: webfinger %s: actor %q is on another node", acct, actor)
	}
	return actor, nil
}
