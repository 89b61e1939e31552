package model

import (
	"time"

	"github.com/uptrace/bun"
)

// GuestInvitation invites someone from outside the company, by email, into one or more
// groups. The link it carries signs up a guest account once, before ExpiresAt.
type GuestInvitation struct {
	bun.BaseModel `bun:"table:guest_invitations,alias:gi"`

	ID string `bun:"id,pk"`
	// Token is the secret in the invitation link. It is kept, not only its hash, because
	// the inviter and the admins may copy the link again until it is used.
	Token       string `bun:"token,notnull,unique"`
	Email       string `bun:"email,notnull"`
	InvitedByID string `bun:"invited_by_id,notnull"`
	// GuestDays is how long the guest account lasts from sign-up.
	GuestDays int       `bun:"guest_days,notnull"`
	ExpiresAt time.Time `bun:"expires_at,notnull"`
	// AcceptedAt and AccountID are set when the link was used.
	AcceptedAt *time.Time `bun:"accepted_at"`
	AccountID  *string    `bun:"account_id"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	// MailedAt is when the invitation went out by mail; MailError why it did not.
	MailedAt  *time.Time `bun:"mailed_at"`
	MailError string     `bun:"mail_error,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`

	// GroupIDs are the groups the guest joins on sign-up (table guest_invitation_groups).
	GroupIDs []string `bun:"-"`
}

// InvitationState is where an invitation stands at a given time.
type InvitationState string

// Invitation states.
const (
	InvitationPending  InvitationState = "pending"
	InvitationAccepted InvitationState = "accepted"
	InvitationRevoked  InvitationState = "revoked"
	InvitationExpired  InvitationState = "expired"
)

// StateAt says where the invitation stands at now.
func (i *GuestInvitation) StateAt(now time.Time) InvitationState {
	switch {
	case i.AcceptedAt != nil:
		return InvitationAccepted
	case i.RevokedAt != nil:
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// GuestInvitationGroup is one group of an invitation.
type GuestInvitationGroup struct {
	bun.BaseModel `bun:"table:guest_invitation_groups,alias:gig"`

	InvitationID string `bun:"invitation_id,pk"`
	GroupID      string `bun:"group_id,pk"`
}
