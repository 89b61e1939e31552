package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// printSummary tells the newcomer where the nodes are, how to log in and what to look at.
func (c *demoCluster) printSummary(w io.Writer, dir string, removed bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tURL\tFEDERATES WITH")
	for _, d := range c.nodes {
		name := d.site.name
		if d.site.partner {
			name += " (partner firm)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, d.url, c.peersOf(d))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tAT\tWHO")
	for _, d := range c.nodes {
		for _, p := range d.site.people {
			who := p.name + ", " + p.title
			if p.admin {
				who += " (admin)"
			}
			fmt.Fprintf(tw, "%s\t%s/login\t%s\n", p.username, d.url, who)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	berlin, munich, consult := c.node("Berlin"), c.node("Munich"), c.node("Consult")
	fmt.Fprintf(w, "\nPassword of every account: %s (for this demo only: never use it on a real node).\n", demoPassword)
	fmt.Fprintf(w, "\nThings to try:\n"+
		"  - alice at %[1]s: her company post has Bob's comment from Munich and likes from Vienna and Berlin.\n"+
		"  - bob at %[2]s: Alice's company post arrived from Berlin; Clara's site post stayed in Berlin.\n"+
		"  - pat at %[3]s: the partner firm's users are guests on the siblings: no company, site or followers post reaches them.\n"+
		"  - find people on other nodes by handle, e.g. @bob@%[4]s in the people search of Berlin.\n"+
		"  - admin at any node: Admin > Peers and Admin > Delivery queue.\n",
		berlin.url, munich.url, consult.url, munich.host)
	where := "removed when the demo stops"
	if !removed {
		where = "kept when the demo stops"
	}
	fmt.Fprintf(w, "\nDatabases: %s (%s). Node logs go to stderr; --log-level info shows more.\n", dir, where)
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
	return nil
}

// peersOf describes whom d federates with.
func (c *demoCluster) peersOf(d *demoNode) string {
	var siblings, partners []string
	for _, o := range c.nodes {
		switch {
		case o == d || (o.site.partner && d.site.partner):
		case o.site.partner || d.site.partner:
			partners = append(partners, o.site.name)
		default:
			siblings = append(siblings, o.site.name)
		}
	}
	var parts []string
	if len(siblings) > 0 {
		parts = append(parts, plural("sibling", len(siblings))+" "+strings.Join(siblings, ", "))
	}
	if len(partners) > 0 {
		parts = append(parts, plural("partner", len(partners))+" "+strings.Join(partners, ", "))
	}
	return strings.Join(parts, "; ")
}

// printKept tells how to find the kept databases again.
func (c *demoCluster) printKept(w io.Writer, dir string) {
	if len(c.nodes) == 0 || c.nodes[0].n == nil {
		return // nothing was created
	}
	d := c.nodes[0]
	fmt.Fprintf(w, "The databases are kept in %s.\n", dir)
	fmt.Fprintf(w, "To run a node again on its own (same address: it is the node's identity):\n"+
		"  ATRIUM_DATA_DIR=%s ATRIUM_LISTEN=%s ATRIUM_SITE_NAME=%s atrium serve\n", d.dir, d.host, d.site.name)
}

// plural adds an s to word unless n is 1.
func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
