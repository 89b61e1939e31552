package social_test

import (
	"testing"
	"time"

	"github.com/atrium-intranet/atrium/model"
)

// TestGuestOwnerSuccession: a group whose only owner is a guest (made so before guests
// could not be left owning a group alone) gets a new owner when the guest's access ends,
// by revocation or expiry: its longest-standing moderator, else its longest-standing
// member among the node's active employees, else the guest's inviter, else the first
// admin. A group with another owner keeps its owners as they are.
func TestGuestOwnerSuccession(t *testing.T) {
	type member struct {
		name string
		role model.GroupRole
		// age orders the memberships: larger is older.
		age   int
		guest bool
		gone  bool // deactivated
	}
	cases := []struct {
		name    string
		members []member
		// inviter invited the guest into the group; "" for nobody.
		inviter string
		expire  bool
		want    string
		// owners the group has at the end (the successor included).
		owners int
	}{
		{name: "longest-standing moderator", members: []member{{name: "mem", role: model.GroupMember, age: 9},
			{name: "mod1", role: model.GroupModerator, age: 5}, {name: "mod2", role: model.GroupModerator, age: 3}},
			want: "mod1", owners: 1},
		{name: "longest-standing member", expire: true, members: []member{{name: "gst", role: model.GroupModerator, age: 9, guest: true},
			{name: "old", role: model.GroupMember, age: 8, gone: true}, {name: "mem1", role: model.GroupMember, age: 5},
			{name: "mem2", role: model.GroupMember, age: 3}},
			want: "mem1", owners: 1},
		{name: "the guest's inviter", inviter: "ivy", members: []member{{name: "gst", role: model.GroupMember, age: 9, guest: true}},
			want: "ivy", owners: 1},
		{name: "the first admin", members: []member{{name: "gst", role: model.GroupMember, age: 9, guest: true}},
			want: "root", owners: 1},
		{name: "another owner stays", members: []member{{name: "boss", role: model.GroupOwner, age: 1},
			{name: "mod1", role: model.GroupModerator, age: 5}},
			want: "boss", owners: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachEnv(t, func(t *testing.T, e *env) {
				root := e.admin("root") // the first admin
				e.admin("later")
				founder := e.member("founder")
				g := e.group(founder, "team", model.GroupClosed)
				gus := e.guest("gus")
				if err := e.svc.Guests.Extend(e.ctx, root, gus.ID, e.clock.Peek().Add(24*time.Hour)); err != nil {
					t.Fatal(err)
				}
				now := e.clock.Peek()
				accts := map[string]*model.Account{"root": root}
				save := func(a *model.Account, role model.GroupRole, age int, invitedBy *string) {
					t.Helper()
					at := now.Add(-time.Duration(age) * time.Hour)
					if err := e.store.SaveMembership(e.ctx, &model.Membership{GroupID: g.ID, AccountID: a.ID, Role: role,
						State: model.MemberActive, InvitedByID: invitedBy, CreatedAt: at, UpdatedAt: at}); err != nil {
						t.Fatal(err)
					}
				}
				for _, m := range c.members {
					var a *model.Account
					if m.guest {
						a = e.guest(m.name)
					} else {
						a = e.member(m.name)
					}
					if m.gone {
						if err := e.svc.Accounts.SetActive(e.ctx, root, a.ID, false); err != nil {
							t.Fatal(err)
						}
					}
					accts[m.name] = a
					save(a, m.role, m.age, nil)
				}
				var invitedBy *string
				if c.inviter != "" {
					accts[c.inviter] = e.member(c.inviter)
					invitedBy = &accts[c.inviter].ID
				}
				// The guest owns the group alone, as it could before the rule.
				save(gus, model.GroupOwner, 10, invitedBy)
				if err := e.store.DeleteMembership(e.ctx, g.ID, founder.ID); err != nil {
					t.Fatal(err)
				}

				if c.expire {
					e.clock.Advance(25 * time.Hour)
					if n, err := e.svc.Guests.ExpireDue(e.ctx); err != nil || n != 1 {
						t.Fatalf("expired %d: %v", n, err)
					}
				} else if err := e.svc.Guests.Revoke(e.ctx, root, gus.ID); err != nil {
					t.Fatal(err)
				}
				if st, _ := e.membership(g, gus); st != "" {
					t.Fatalf("the guest is still %q", st)
				}
				if st, role := e.membership(g, accts[c.want]); st != model.MemberActive || role != model.GroupOwner {
					t.Errorf("%s is %q %q, want the active owner", c.want, st, role)
				}
				if n, err := e.store.CountOwners(e.ctx, g.ID); err != nil || n != c.owners {
					t.Errorf("owners: %d %v, want %d", n, err, c.owners)
				}
				for name, a := range accts {
					if _, role := e.membership(g, a); name != c.want && role == model.GroupOwner {
						t.Errorf("%s became owner too", name)
					}
				}
			})
		})
	}
}

// TestGuestNeverSoleOwner: a guest may be an owner beside an employee; the last owner
// who is no guest cannot leave, step down or be removed while guests would own the
// group alone, and the group page does not offer it to leave.
func TestGuestNeverSoleOwner(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ann, bob := e.member("ann"), e.member("bob")
		g := e.group(ann, "team", model.GroupClosed)
		gus := e.guest("gus")
		e.joined(g, ann, gus)
		e.joined(g, ann, bob)
		if err := e.svc.Groups.SetRole(e.ctx, ann, g.ID, gus.ID, model.GroupOwner); err != nil {
			t.Fatalf("a guest made owner beside an employee: %v", err)
		}
		refused := fields("group", "error.group.last_employee_owner")
		wantFields(t, e.svc.Groups.Leave(e.ctx, ann, g.ID), refused)
		wantFields(t, e.svc.Groups.SetRole(e.ctx, ann, g.ID, ann.ID, model.GroupMember), refused)
		wantFields(t, e.svc.Groups.SetRole(e.ctx, gus, g.ID, ann.ID, model.GroupMember), refused)
		wantFields(t, e.svc.Groups.Remove(e.ctx, gus, g.ID, ann.ID, false), refused)
		if v, err := e.svc.Groups.Get(e.ctx, ann, "team"); err != nil || v.CanLeave {
			t.Errorf("ann may leave: %v %v", v != nil && v.CanLeave, err)
		}
		if v, err := e.svc.Groups.Get(e.ctx, gus, "team"); err != nil || !v.CanLeave {
			t.Errorf("gus may not leave: %v", err)
		}
		if st, role := e.membership(g, ann); st != model.MemberActive || role != model.GroupOwner {
			t.Fatalf("ann is %q %q", st, role)
		}

		// With a second employee owner, ann may go; the guest may go at any time.
		if err := e.svc.Groups.SetRole(e.ctx, ann, g.ID, bob.ID, model.GroupOwner); err != nil {
			t.Fatal(err)
		}
		if v, err := e.svc.Groups.Get(e.ctx, ann, "team"); err != nil || !v.CanLeave {
			t.Errorf("ann may not leave beside bob: %v", err)
		}
		if err := e.svc.Groups.Leave(e.ctx, ann, g.ID); err != nil {
			t.Fatalf("ann leaves beside bob: %v", err)
		}
		if err := e.svc.Groups.Leave(e.ctx, gus, g.ID); err != nil {
			t.Fatalf("the guest leaves: %v", err)
		}
		// The last owner stays the last owner.
		wantFields(t, e.svc.Groups.Leave(e.ctx, bob, g.ID), fields("group", "error.group.last_owner"))
		if _, err := e.svc.Groups.Get(e.ctx, bob, "team"); err != nil {
			t.Fatal(err)
		}
	})
}
