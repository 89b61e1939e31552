package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/spf13/cobra"
)

// peerCommand groups the allowlist commands; they act as social.SystemActor.
func peerCommand(e env, load func() (config.Config, error)) *cobra.Command {
	peer := &cobra.Command{Use: "peer", Short: "Manage the nodes this node federates with"}
	peer.AddCommand(peerAddCommand(e, load), peerListCommand(e, load), peerRemoveCommand(e, load))
	return peer
}

func peerAddCommand(e env, load func() (config.Config, error)) *cobra.Command {
	var trust, name string
	cmd := &cobra.Command{
		Use:   "add URL",
		Short: "Allow a node (or change its trust and name)",
		Long: "Allow the node at URL (scheme://host[:port]) to federate with this one. " +
			"Siblings are nodes of the same company; partners are other firms, whose users are guests here.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			p, err := n.Social.Peers.Add(cmd.Context(), social.SystemActor(), args[0], model.Trust(trust), name)
			if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "allowed %s (%s)", p.Origin, p.Trust)
			if p.Name != "" {
				fmt.Fprintf(e.stdout, " %s", p.Name)
			}
			fmt.Fprintln(e.stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&trust, "trust", "", "sibling (same company) or partner (another firm)")
	cmd.Flags().StringVar(&name, "name", "", "a name to recognise the node by")
	_ = cmd.MarkFlagRequired("trust")
	return cmd
}

func peerListCommand(e env, load func() (config.Config, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the allowed peers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			list, err := n.Social.Peers.List(cmd.Context(), social.SystemActor())
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no peers: this node federates with no one")
				return nil
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ORIGIN\tTRUST\tNAME\tADDED")
			for _, p := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Origin, p.Trust, p.Name, p.CreatedAt.UTC().Format("2006-01-02 15:04"))
			}
			return w.Flush()
		},
	}
}

func peerRemoveCommand(e env, load func() (config.Config, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "remove URL",
		Short: "Stop federating with a node; its pending deliveries are cancelled",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			err = n.Social.Peers.Remove(cmd.Context(), social.SystemActor(), args[0])
			if errors.Is(err, social.ErrNotFound) {
				return fmt.Errorf("%s is not a peer", args[0])
			} else if err != nil {
				return describe(err)
			}
			origin, _ := social.CanonicalOrigin(args[0])
			fmt.Fprintf(e.stdout, "removed %s; its pending deliveries are cancelled\n", origin)
			return nil
		},
	}
}
