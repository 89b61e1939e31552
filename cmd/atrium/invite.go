package main

import (
	"fmt"
	"strings"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/social"
	"github.com/spf13/cobra"
)

// inviteCommand invites guests from a shell, for example before anyone uses the web UI.
func inviteCommand(e env, load func() (config.Config, error)) *cobra.Command {
	invite := &cobra.Command{Use: "invite", Short: "Invite guests"}
	invite.AddCommand(inviteCreateCommand(e, load))
	return invite
}

func inviteCreateCommand(e env, load func() (config.Config, error)) *cobra.Command {
	var email, by string
	var groups []string
	var days int
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Invite a guest by email into groups and print the sign-up link (mailed too when SMTP is set)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			inviter, err := n.Social.Accounts.ByUsername(cmd.Context(), by)
			if err != nil {
				return fmt.Errorf("no local account %q", by)
			}
			ids := make([]string, 0, len(groups))
			for _, name := range groups {
				g, err := n.Store.GroupByName(cmd.Context(), strings.ToLower(strings.TrimPrefix(name, "@")), "")
				if err != nil {
					return fmt.Errorf("no local group %q", name)
				}
				ids = append(ids, g.ID)
			}
			v, err := n.Social.Invitations.Invite(cmd.Context(), inviter, social.InvitationInput{Email: email, GroupIDs: ids, GuestDays: days})
			if err != nil {
				return describe(err)
			}
			fmt.Fprintln(e.stdout, v.Link)
			switch {
			case v.Invitation.MailedAt != nil:
				fmt.Fprintf(e.stdout, "mailed to %s\n", v.Invitation.Email)
			case v.Invitation.MailError != "":
				fmt.Fprintf(e.stdout, "mail failed: %s\n", v.Invitation.MailError)
			default:
				fmt.Fprintln(e.stdout, "not mailed (no smtp_host): send the link yourself")
			}
			fmt.Fprintf(e.stdout, "valid until %s; the guest account lasts %d days\n",
				v.Invitation.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"), v.Invitation.GuestDays)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "the guest's email address")
	f.StringArrayVar(&groups, "group", nil, "a local group to join (repeat for more)")
	f.IntVar(&days, "days", 0, "how many days the guest account lasts (default: guest_account_ttl)")
	f.StringVar(&by, "by", "", "username of the inviting admin (or member, if guest_invites = members)")
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("group")
	_ = cmd.MarkFlagRequired("by")
	return cmd
}
