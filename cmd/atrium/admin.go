package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/spf13/cobra"
)

func adminCommand(e env, load func() (config.Config, error)) *cobra.Command {
	admin := &cobra.Command{Use: "admin", Short: "Administer the node from a shell"}
	user := &cobra.Command{Use: "user", Short: "Manage accounts"}
	user.AddCommand(userCreateCommand(e, load))
	token := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	token.AddCommand(tokenCreateCommand(e, load))
	admin.AddCommand(user, token, peerCommand(e, load), queueCommand(e, load), inviteCommand(e, load))
	return admin
}

func userCreateCommand(e env, load func() (config.Config, error)) *cobra.Command {
	var username, email, displayName string
	var isAdmin, guest, passwordStdin bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a local account (prints a generated password unless --password-stdin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if isAdmin && guest {
				return errors.New("--admin and --guest exclude each other")
			}
			password, generated := "", false
			if passwordStdin {
				line, err := bufio.NewReader(e.stdin).ReadString('\n')
				if err != nil && line == "" {
					return fmt.Errorf("read password from stdin: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				b := make([]byte, 15)
				_, _ = rand.Read(b)
				password, generated = base64.RawURLEncoding.EncodeToString(b), true
			}
			role := model.RoleMember
			if isAdmin {
				role = model.RoleAdmin
			} else if guest {
				role = model.RoleGuest
			}
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			acct, err := n.Social.Accounts.Create(cmd.Context(), social.NewAccount{
				Username: username, Email: email, Password: password, DisplayName: displayName, Role: role,
			})
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "created %s (%s) %s\n", acct.Username, acct.Role, acct.URI)
			if generated {
				fmt.Fprintf(e.stdout, "password: %s\n", password)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&username, "username", "", "username (lower-case letters, digits, _)")
	f.StringVar(&email, "email", "", "email address")
	f.StringVar(&displayName, "display-name", "", "display name")
	f.BoolVar(&isAdmin, "admin", false, "make the account an admin")
	f.BoolVar(&guest, "guest", false, "make the account a guest")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	_ = cmd.MarkFlagRequired("username")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func tokenCreateCommand(e env, load func() (config.Config, error)) *cobra.Command {
	var username, name string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a personal access token for the API and print it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			acct, err := n.Social.Accounts.ByUsername(cmd.Context(), username)
			if err != nil {
				return fmt.Errorf("no local account %q", username)
			}
			plain, _, err := n.Social.Tokens.Create(cmd.Context(), acct.ID, name)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintln(e.stdout, plain)
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "account the token acts as")
	cmd.Flags().StringVar(&name, "name", "command line", "a name to recognise the token by")
	_ = cmd.MarkFlagRequired("username")
	return cmd
}

// describe turns validation message keys into a readable command-line error.
func describe(err error) error {
	if ve, ok := social.AsValidation(err); ok {
		var parts []string
		for field, key := range ve.Fields {
			parts = append(parts, field+": "+strings.TrimPrefix(key, "error."))
		}
		sort.Strings(parts)
		return errors.New("invalid input: " + strings.Join(parts, "; "))
	}
	return err
}
