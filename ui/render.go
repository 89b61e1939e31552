package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
)

//go:embed templates
var templateFS embed.FS

// Page is what the layout needs on every page; page data structs embed it.
type Page struct {
	// Title is a message key.
	Title string
	// TitleArg fills a %s in the title message, e.g. a tag or a name.
	TitleArg string
	Viewer   *model.Account
	CSRF     string
	Lang     string
	Site     string
	// Nav names the active navigation item.
	Nav string
	// Notice is a message key shown once after a redirect.
	Notice string
	// Errors maps form fields to message keys.
	Errors map[string]string
	// CanInvite shows the invitations entry of the navigation.
	CanInvite bool
}

func (p *Page) page() *Page { return p }

// pageData is implemented by every page's data struct through the embedded Page.
type pageData interface{ page() *Page }

// postCard is what the post partial needs: the post and the form token.
type postCard struct {
	V    *social.PostView
	CSRF string
}

// views holds every page's parsed template set, per language.
type views struct {
	sets map[string]map[string]*template.Template
	cat  catalogs
}

func newViews(cat catalogs, a *assets) (*views, error) {
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil || len(pages) == 0 {
		return nil, fmt.Errorf("find page templates: %v", err)
	}
	v := &views{sets: map[string]map[string]*template.Template{}, cat: cat}
	for _, lang := range languages {
		funcs := templateFuncs(cat.translator(lang), a)
		v.sets[lang] = map[string]*template.Template{}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
				"templates/layout/*.html", "templates/partials/*.html", p)
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", name, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("template %s defines no content block", name)
			}
			v.sets[lang][name] = t
		}
	}
	return v, nil
}

func templateFuncs(t func(string, ...any) string, a *assets) template.FuncMap {
	return template.FuncMap{
		"t":      t,
		"static": a.url,
		"datetime": func(tm time.Time) string {
			return tm.UTC().Format("2006-01-02 15:04 UTC")
		},
		"iso": func(tm time.Time) string { return tm.UTC().Format(time.RFC3339) },
		// html marks HTML that package social already rendered and sanitized.
		"html": func(s string) template.HTML { return template.HTML(s) },
		"avatar": func(a *model.Account) string {
			if a == nil || a.AvatarFile == "" {
				return ""
			}
			return "/avatars/" + a.AvatarFile
		},
		"profile":   profilePath,
		"grouppath": groupPath,
		"initial": func(a *model.Account) string {
			if a == nil {
				return "?"
			}
			r := []rune(a.Name())
			if len(r) == 0 {
				return "?"
			}
			return strings.ToUpper(string(r[0]))
		},
		"card": func(v *social.PostView, csrf string) postCard { return postCard{V: v, CSRF: csrf} },
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		// guest marks the people shown with the guest badge, local and remote alike.
		"guest": func(a *model.Account) bool { return a != nil && a.IsGuest() },
	}
}

// profilePath is the profile page of an account: /users/name here, /users/name@host:port
// for people on other nodes.
func profilePath(a *model.Account) string {
	if a == nil {
		return "/people"
	}
	if a.Local() {
		return "/users/" + a.Username
	}
	return "/users/" + a.Username + "@" + a.Domain
}

// render writes a page. It renders into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) {
	p := data.page()
	c := currentOf(r)
	if c != nil {
		p.Viewer, p.CSRF = c.acct, c.sess.CSRFToken
		p.CanInvite = h.social.Invitations.MayInvite(c.acct)
	} else if p.CSRF == "" {
		p.CSRF = h.preSessionToken(w, r)
	}
	p.Lang = language(r, h.cfg.Language)
	p.Site = h.cfg.SiteName
	if n := r.URL.Query().Get("notice"); n != "" && h.views.cat.has("notice."+n) {
		p.Notice = "notice." + n
	}
	t := h.views.sets[p.Lang][name]
	if t == nil {
		h.log.ErrorContext(r.Context(), "unknown template", "name", name)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.ErrorContext(r.Context(), "render template", "name", name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
