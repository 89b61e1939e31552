package node

import (
	"time"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/internal/mailer"
	"github.com/atrium-intranet/atrium/social"
)

// guestDeps turns the guest and mail settings into the rules' dependencies: no mailer
// (links only) unless smtp_host is set.
func guestDeps(cfg config.Config) (social.GuestSettings, social.Mailer, error) {
	gs := social.GuestSettings{
		MembersInvite: cfg.GuestInvites == "members",
		InvitationTTL: cfg.GuestInvitationTTL.Duration,
		AccountDays:   int(cfg.GuestAccountTTL.Duration / (24 * time.Hour)),
	}
	if !cfg.MailEnabled() {
		return gs, nil, nil
	}
	m, err := mailer.New(cfg)
	if err != nil {
		return gs, nil, err
	}
	return gs, m, nil
}
