package federation

import (
	"encoding/xml"
	"errors"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/atrium-intranet/atrium/activitypub"
	"github.com/atrium-intranet/atrium/storage"
)

// Discovery documents are public metadata: they name users and the software, never
// anything a user wrote, and never a deactivated account.

// NodeInfo constants.
const (
	// NodeInfoSchema is the link relation of NodeInfo 2.1.
	NodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	// NodeInfoProfile is the content type of a NodeInfo 2.1 document.
	NodeInfoProfile = `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`
	// SoftwareName is how NodeInfo names Atrium.
	SoftwareName = "atrium"
)

// webfinger answers acct:user@host:port for local active users, then for local groups
// (users take precedence on a name clash), and acct:host@host for the node actor.
func (h *handler) webfinger(w http.ResponseWriter, r *http.Request) {
	resource := r.URL.Query().Get("resource")
	if resource == "" {
		fail(w, http.StatusBadRequest, "resource parameter required")
		return
	}
	acct, err := ParseAcct(resource)
	if err != nil {
		fail(w, http.StatusBadRequest, "resource must be acct:user@host:port")
		return
	}
	if !activitypub.SameOrigin(h.origin, h.schemeOf()+"://"+acct.Host) {
		fail(w, http.StatusNotFound, "not on this node")
		return
	}
	if acct.User == acct.Host || acct.User == hostname(acct.Host) {
		h.writeJSON(w, r, http.StatusOK, JRDContentType, NewJRD(acct, h.node.ActorURI, ""))
		return
	}
	a, err := h.store.LocalAccountByUsername(r.Context(), acct.User)
	if errors.Is(err, storage.ErrNotFound) {
		// Users take precedence; a name no user has may be a group's.
		h.webfingerGroup(w, r, acct)
		return
	} else if err == nil && !a.Active() {
		fail(w, http.StatusNotFound, "no such user")
		return
	} else if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, JRDContentType, NewJRD(acct, a.URI, a.URI))
}

// schemeOf is this node's scheme.
func (h *handler) schemeOf() string {
	if strings.HasPrefix(h.origin, "https:") {
		return "https"
	}
	return "http"
}

// hostname is host without its port.
func hostname(hostPort string) string {
	for i := len(hostPort) - 1; i >= 0; i-- {
		switch hostPort[i] {
		case ':':
			return hostPort[:i]
		case ']':
			return hostPort
		}
	}
	return hostPort
}

// nodeinfoLinks is the NodeInfo discovery document.
func (h *handler) nodeinfoLinks(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, r, http.StatusOK, "application/json", map[string]interface{}{
		"links": []Link{{Rel: NodeInfoSchema, Href: h.origin + "/nodeinfo/2.1"}},
	})
}

// nodeinfo is the NodeInfo 2.1 document.
func (h *handler) nodeinfo(w http.ResponseWriter, r *http.Request) {
	u, err := h.store.NodeUsage(r.Context())
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, NodeInfoProfile, map[string]interface{}{
		"version":           "2.1",
		"software":          map[string]string{"name": SoftwareName, "version": Version()},
		"protocols":         []string{"activitypub"},
		"services":          map[string][]string{"inbound": {}, "outbound": {}},
		"openRegistrations": false,
		"usage": map[string]interface{}{
			"users":         map[string]int{"total": u.Users},
			"localPosts":    u.Posts,
			"localComments": u.Comments,
		},
		"metadata": map[string]string{"nodeName": h.siteName},
	})
}

// Version is the running build's module version, "dev" for builds from a work tree.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// xrd is a host-meta document (RFC 6415).
type xrd struct {
	XMLName xml.Name  `xml:"XRD"`
	NS      string    `xml:"xmlns,attr"`
	Links   []xrdLink `xml:"Link"`
}

type xrdLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Template string `xml:"template,attr"`
}

// hostMeta points at WebFinger.
func (h *handler) hostMeta(w http.ResponseWriter, r *http.Request) {
	doc := xrd{NS: "http://docs.oasis-open.org/ns/xri/xrd-1.0", Links: []xrdLink{{
		Rel: "lrdd", Type: JRDContentType, Template: h.origin + WebFingerPath + "?resource={uri}",
	}}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeBytes(w, http.StatusOK, "application/xrd+xml; charset=utf-8", append([]byte(xml.Header), b...))
}

// contextDocument serves the Atrium JSON-LD context.
func (h *handler) contextDocument(w http.ResponseWriter, r *http.Request) {
	b, err := activitypub.ContextDocument(h.origin)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.writeBytes(w, http.StatusOK, "application/ld+json", b)
}

// internal logs err and answers 500.
func (h *handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "federation request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	fail(w, http.StatusInternalServerError, "internal server error")
}
