package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/atrium-intranet/atrium/config"
	"github.com/atrium-intranet/atrium/model"
	"github.com/atrium-intranet/atrium/social"
	"github.com/spf13/cobra"
)

// queueCommand groups the delivery queue commands; they act as social.SystemActor.
func queueCommand(e env, load func() (config.Config, error)) *cobra.Command {
	queue := &cobra.Command{Use: "queue", Short: "Watch and retry deliveries to other nodes"}
	queue.AddCommand(queueListCommand(e, load), queueRetryCommand(e, load))
	return queue
}

func queueListCommand(e env, load func() (config.Config, error)) *cobra.Command {
	var status, before string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List deliveries, newest first, with attempts and last error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			page, err := n.Social.Queue.List(cmd.Context(), social.SystemActor(), social.QueueQuery{
				Status: model.DeliveryStatus(status), Before: before, Limit: limit,
			})
			if err != nil {
				return describe(err)
			}
			if len(page.Deliveries) == 0 {
				fmt.Fprintln(e.stdout, "no deliveries")
				return nil
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tORIGIN\tACTIVITY\tLAST ERROR")
			for _, d := range page.Deliveries {
				next := "-"
				if d.Status == model.DeliveryPending {
					next = d.NextAttemptAt.UTC().Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.Status, d.Attempts, next, d.Origin,
					d.ActivityID, oneLine(d.LastError))
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if page.Next != "" {
				fmt.Fprintf(e.stdout, "more: --before %s\n", page.Next)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&status, "status", "", "only pending, failed, delivered or cancelled deliveries")
	f.StringVar(&before, "before", "", "continue below this delivery id (printed after a full page)")
	f.IntVar(&limit, "limit", 50, "deliveries per page (at most 200)")
	return cmd
}

func queueRetryCommand(e env, load func() (config.Config, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "retry ID",
		Short: "Send a failed, cancelled or pending delivery again as soon as possible",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := openNode(cmd.Context(), e, load)
			if err != nil {
				return err
			}
			defer n.Close()
			err = n.Social.Queue.Retry(cmd.Context(), social.SystemActor(), args[0])
			if errors.Is(err, social.ErrNotFound) {
				return fmt.Errorf("no delivery %q", args[0])
			} else if err != nil {
				return describe(err)
			}
			fmt.Fprintf(e.stdout, "delivery %s is due again\n", args[0])
			return nil
		},
	}
}

// oneLine keeps a stored error on one table row.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}
