package social

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/storage"
)

// Profiles reads and edits people's profiles.
type Profiles struct{ *core }

// ProfileInput is the edit-profile form. Manager is a username ("" for none) and Skills
// a comma-separated list.
type ProfileInput struct {
	DisplayName, JobTitle, Department, Site, Phone, Email, Manager, Skills, About string
}

// Profile is everything the profile page shows.
type Profile struct {
	Account          *model.Account
	Manager          *model.Account
	Reports          []*model.Account
	Skills           []string
	Followers        int
	Following        int
	FollowedByViewer bool
	IsViewer         bool
	// Position is the person's place in the org chart: managers above, reports below.
	Position *Position
}

// Limits on profile fields.
const (
	maxFieldRunes = 100
	maxAboutRunes = 5_000
	maxSkills     = 30
	maxSkillRunes = 40
	// maxManagerChain bounds the walk that rejects manager cycles.
	maxManagerChain = 100
)

var phonePattern = regexp.MustCompile(`^[0-9+()./ -]{0,40}$`)

// Get returns the profile of a local user.
func (ps *Profiles) Get(ctx context.Context, viewer *model.Account, username string) (*Profile, error) {
	acct, err := ps.Store.LocalAccountByUsername(ctx, strings.ToLower(username))
	if err != nil {
		return nil, err
	}
	return ps.profileOf(ctx, viewer, acct)
}

// profileOf assembles the profile of acct, local or remote, as viewer sees it; the
// counts of a remote account are what this node knows (its own accounts' follows).
func (ps *Profiles) profileOf(ctx context.Context, viewer, acct *model.Account) (*Profile, error) {
	if !acct.Active() && !viewer.IsAdmin() || ProfileWithheld(acct) {
		return nil, ErrNotFound
	}
	prof := &Profile{Account: acct, IsViewer: acct.ID == viewer.ID, Position: &Position{}}
	var err error
	if viewer.IsGuest() {
		// A guest sees itself and the people of its groups; the org chart is not theirs.
		if !prof.IsViewer {
			co, err := ps.Store.CoMembers(ctx, viewer.ID, acct.ID)
			if err != nil {
				return nil, err
			}
			if !co {
				return nil, ErrNotFound
			}
		}
	} else {
		// Managers and reports are the org chart's: people of the company directory only.
		pos, err := (&People{core: ps.core}).PositionOf(ctx, acct)
		if err != nil {
			return nil, err
		}
		prof.Position, prof.Reports = pos, pos.Reports
		if len(pos.Chain) > 0 {
			prof.Manager = pos.Chain[0]
		}
	}
	if prof.Skills, err = ps.Store.Skills(ctx, acct.ID); err != nil {
		return nil, err
	}
	acct.Skills = prof.Skills
	c, err := ps.Store.CountsOfAccount(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	prof.Followers, prof.Following = c.Followers, c.Following
	if !prof.IsViewer {
		if prof.FollowedByViewer, err = ps.Store.IsFollowing(ctx, viewer.ID, acct.ID); err != nil {
			return nil, err
		}
	}
	return prof, nil
}

// Update validates and saves the account's own profile in one transaction.
func (ps *Profiles) Update(ctx context.Context, acct *model.Account, in ProfileInput) error {
	p := problems{}
	field := func(name, v string) string {
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) > maxFieldRunes {
			p.add(name, "error.too_long")
		}
		return v
	}
	displayName := field("display_name", in.DisplayName)
	jobTitle := field("job_title", in.JobTitle)
	department := field("department", in.Department)
	site := field("site", in.Site)
	phone := strings.TrimSpace(in.Phone)
	if !phonePattern.MatchString(phone) {
		p.add("phone", "error.phone.invalid")
	}
	email, ok := normalizeEmail(in.Email)
	if !ok {
		p.add("email", "error.email.invalid")
	}
	about := strings.TrimSpace(in.About)
	if utf8.RuneCountInString(about) > maxAboutRunes {
		p.add("about", "error.too_long")
	}
	skills := parseSkills(p, in.Skills)
	managerName := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(in.Manager), "@"))
	if err := p.err(); err != nil {
		return err
	}
	// A manager on another node is found (and fetched) before the transaction.
	remoteManager, err := ps.remoteManager(ctx, managerName)
	if err != nil {
		return err
	}
	if u, d, err := ParseHandle(managerName); err == nil && remoteManager == nil && (d == "" || ps.isOwnHost(d)) {
		managerName = u // this node's own handle form, anna@host:port
	}
	return ps.Store.InTx(ctx, func(tx *storage.Store) error {
		var managerID *string
		if managerName != "" {
			var m *model.Account
			var err error
			if remoteManager != nil {
				m, err = tx.Account(ctx, remoteManager.ID)
			} else {
				m, err = tx.LocalAccountByUsername(ctx, managerName)
			}
			if errors.Is(err, ErrNotFound) || (err == nil && !m.Active()) {
				return &ValidationError{Fields: map[string]string{"manager": "error.manager.unknown"}}
			} else if err != nil {
				return err
			}
			if err := checkNoCycle(ctx, tx, acct.ID, m); err != nil {
				return err
			}
			managerID = &m.ID
		}
		next := *acct
		next.DisplayName, next.JobTitle, next.Department, next.Site = displayName, jobTitle, department, site
		next.Phone, next.Email, next.ManagerID = phone, email, managerID
		next.AboutSource, next.AboutHTML = about, ps.md.render(about, nil)
		next.UpdatedAt = ps.now()
		err := tx.UpdateAccount(ctx, &next, "display_name", "job_title", "department", "site", "phone",
			"email", "manager_id", "about_source", "about_html", "updated_at")
		if errors.Is(err, storage.ErrConflict) {
			return &ValidationError{Fields: map[string]string{"email": "error.email.taken"}}
		} else if err != nil {
			return err
		}
		if err := tx.ReplaceSkills(ctx, acct.ID, skills); err != nil {
			return err
		}
		// Never nil: the profile Update then carries an empty list, which clears the
		// skills other nodes cached.
		next.Skills = append([]string{}, skills...)
		if err := ps.profileChanged(ctx, tx, &next); err != nil {
			return err
		}
		*acct = next
		acct.Skills = skills
		return nil
	})
}

// remoteManager finds the manager named by a handle with another node's host
// (user@host:port): a person of the company directory, fetched from their node if this
// one does not know them yet. It returns nil for a local username or handle.
func (ps *Profiles) remoteManager(ctx context.Context, name string) (*model.Account, error) {
	unknown := &ValidationError{Fields: map[string]string{"manager": "error.manager.unknown"}}
	if name == "" {
		return nil, nil
	}
	user, domain, err := ParseHandle(name)
	if err != nil {
		return nil, unknown
	}
	if domain == "" || ps.isOwnHost(domain) {
		return nil, nil
	}
	m, err := (&Accounts{ps.core}).ByHandle(ctx, user+"@"+domain)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, unknown
	case errors.Is(err, ErrRemoteUnavailable):
		return nil, &ValidationError{Fields: map[string]string{"manager": "error.manager.unavailable"}}
	case err != nil:
		return nil, err
	}
	// Only the company's people can be managers: not guests, not partners' users.
	domains, err := ps.siblingDomains(ctx)
	if err != nil {
		return nil, err
	}
	in, err := ps.Store.InDirectory(ctx, domains, []string{m.ID})
	if err != nil {
		return nil, err
	}
	if !in[m.ID] {
		return nil, unknown
	}
	return m, nil
}

// checkNoCycle refuses a manager whose own chain of managers leads back to the account.
func checkNoCycle(ctx context.Context, tx *storage.Store, accountID string, manager *model.Account) error {
	cycle := &ValidationError{Fields: map[string]string{"manager": "error.manager.cycle"}}
	m := manager
	for i := 0; i < maxManagerChain; i++ {
		if m.ID == accountID {
			return cycle
		}
		if m.ManagerID == nil {
			return nil
		}
		next, err := tx.Account(ctx, *m.ManagerID)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		m = next
	}
	return cycle
}

// parseSkills splits a comma-separated list into unique, trimmed skills.
func parseSkills(p problems, s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, raw := range strings.Split(s, ",") {
		skill := strings.Join(strings.Fields(raw), " ")
		if skill == "" {
			continue
		}
		if utf8.RuneCountInString(skill) > maxSkillRunes {
			p.add("skills", "error.skills.too_long")
			return nil
		}
		key := strings.ToLower(skill)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, key)
	}
	if len(out) > maxSkills {
		p.add("skills", "error.skills.too_many")
		return nil
	}
	return out
}
