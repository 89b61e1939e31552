package social

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// maxGroupLinks bounds the group look-ups one post may cause.
const maxGroupLinks = 20

// groupLinks maps the full handles (lower-cased name@host[:port]) written in a post to
// the pages of the groups they name: local groups written with this node's host and
// cached remote groups. Only groups every reader may know of are linked (open and
// closed, never secret), so a link reveals nothing the text does not.
func (ps *Posts) groupLinks(ctx context.Context, tx *storage.Store, handles []string) (map[string]string, error) {
	if len(handles) == 0 {
		return nil, nil
	}
	if len(handles) > maxGroupLinks {
		handles = handles[:maxGroupLinks]
	}
	here := ""
	if u, err := url.Parse(ps.URIs.Base); err == nil {
		here = strings.ToLower(u.Host)
	}
	links := map[string]string{}
	for _, h := range handles {
		name, host, _ := strings.Cut(h, "@")
		domain := host
		if host == here {
			domain = ""
		}
		grp, err := tx.GroupByName(ctx, name, domain)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if grp.Kind != model.GroupOpen && grp.Kind != model.GroupClosed {
			continue
		}
		path := "/groups/" + url.PathEscape(grp.Name)
		if !grp.Local() {
			path = "/groups/" + url.PathEscape(grp.Name+"@"+grp.Domain)
		}
		links[h] = path
	}
	return links, nil
}
