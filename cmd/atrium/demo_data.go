package main

import "github.com/atrium-intranet/atrium/model"

// demoPassword is the password of every demo account. It is printed on screen, so it
// belongs to the throw-away demo only.
const demoPassword = "atrium-demo-password"

// demoSite is one node of the demo and the people who work there.
type demoSite struct {
	name string
	// partner marks another firm's node: the siblings allow it as a partner (its users
	// are guests there), and it allows each of them as a partner in turn.
	partner bool
	// emailDomain is the domain of its people's addresses.
	emailDomain string
	people      []demoPerson
}

// demoPerson is one seeded account with its profile.
type demoPerson struct {
	username, name, title, department, manager, phone, skills, about string
	admin                                                            bool
}

// demoRef names an account of the demo: site name and username.
type demoRef struct{ site, user string }

// demoFollow is one follow the demo sets up.
type demoFollow struct{ from, to demoRef }

// demoPost is one post the demo publishes; key names it for comments and likes.
type demoPost struct {
	key      string
	author   demoRef
	audience model.Audience
	text     string
}

// demoComment is a comment by author, written on the node where author lives, on the
// post named key (a copy that arrived over federation when the post is remote).
type demoComment struct {
	key    string
	author demoRef
	text   string
}

// demoLike is a like by who on the post named key.
type demoLike struct {
	key string
	who demoRef
}

// demoWorld is everything the demo seeds, in the order it seeds it.
type demoWorld struct {
	sites    []demoSite
	follows  []demoFollow
	posts    []demoPost
	comments []demoComment
	likes    []demoLike
}

// newDemoWorld returns the demo's company (three sibling sites) and its partner firm.
func newDemoWorld() demoWorld {
	admin := func(site string) demoPerson {
		return demoPerson{username: "admin", name: site + " Admin", title: "IT Administrator", department: "IT",
			phone: "+49 30 0000 100", skills: "Atrium, Linux", about: "Runs the " + site + " node.", admin: true}
	}
	return demoWorld{
		sites: []demoSite{
			{name: "Berlin", emailDomain: "berlin.example.com", people: []demoPerson{
				admin("Berlin"),
				{username: "alice", name: "Alice Becker", title: "Head of Engineering", department: "Engineering",
					phone: "+49 30 1234 501", skills: "Go, distributed systems, hiring",
					about: "Leads the platform teams. Ask me about **federation**."},
				{username: "ben", name: "Ben Schulz", title: "Software Engineer", department: "Engineering", manager: "alice",
					phone: "+49 30 1234 502", skills: "Go, PostgreSQL", about: "Backend, databases and coffee."},
				{username: "clara", name: "Clara Wolf", title: "Office Manager", department: "Operations", manager: "alice",
					phone: "+49 30 1234 503", skills: "Facilities, events", about: "Anything about the Berlin office."},
			}},
			{name: "Munich", emailDomain: "munich.example.com", people: []demoPerson{
				admin("Munich"),
				{username: "bob", name: "Bob Huber", title: "Product Manager", department: "Product",
					phone: "+49 89 5550 201", skills: "Roadmaps, user research", about: "Owns the product roadmap."},
				{username: "maria", name: "Maria Bauer", title: "UX Designer", department: "Product", manager: "bob",
					phone: "+49 89 5550 202", skills: "Figma, accessibility", about: "Designs the screens you use."},
			}},
			{name: "Vienna", emailDomain: "vienna.example.com", people: []demoPerson{
				admin("Vienna"),
				{username: "eva", name: "Eva Novak", title: "Head of Sales", department: "Sales",
					phone: "+43 1 555 0301", skills: "Negotiation, CRM", about: "Sales for Austria and the east."},
				{username: "lukas", name: "Lukas Steiner", title: "Account Manager", department: "Sales", manager: "eva",
					phone: "+43 1 555 0302", skills: "Key accounts", about: "Your contact for our biggest customers."},
			}},
			{name: "Consult", partner: true, emailDomain: "consult.example", people: []demoPerson{
				admin("Consult"),
				{username: "pat", name: "Pat Morgan", title: "Senior Consultant", department: "Advisory",
					phone: "+44 20 7946 0401", skills: "Cloud migration, workshops", about: "External partner (Consult), working with Engineering."},
				{username: "sam", name: "Sam Lee", title: "Consultant", department: "Advisory", manager: "pat",
					phone: "+44 20 7946 0402", skills: "Security reviews", about: "External partner (Consult)."},
			}},
		},
		follows: []demoFollow{
			{demoRef{"Berlin", "alice"}, demoRef{"Munich", "bob"}},
			{demoRef{"Munich", "bob"}, demoRef{"Berlin", "alice"}},
			{demoRef{"Vienna", "eva"}, demoRef{"Berlin", "alice"}},
			{demoRef{"Vienna", "eva"}, demoRef{"Berlin", "ben"}},
			{demoRef{"Vienna", "lukas"}, demoRef{"Munich", "bob"}},
			{demoRef{"Munich", "maria"}, demoRef{"Vienna", "eva"}},
			{demoRef{"Berlin", "ben"}, demoRef{"Berlin", "alice"}},
			// The partner's consultant is a guest on every sibling node: guests follow no one
			// and are followed by no one, they see only groups they are invited to.
		},
		posts: []demoPost{
			{key: "welcome", author: demoRef{"Berlin", "alice"}, audience: model.AudienceCompany,
				text: "Welcome to our federated intranet! This **company** post lives in Berlin and reaches Munich and Vienna, but not our partner Consult. #welcome"},
			{key: "kitchen", author: demoRef{"Berlin", "clara"}, audience: model.AudienceSite,
				text: "Berlin only: the kitchen on the 3rd floor is closed on Friday. This **site** post never leaves the Berlin node."},
			{key: "roadmap", author: demoRef{"Munich", "bob"}, audience: model.AudienceCompany,
				text: "Roadmap review on Thursday at 10:00 in Munich, everyone welcome. #roadmap"},
			{key: "workshop", author: demoRef{"Berlin", "alice"}, audience: model.AudienceFollowers,
				text: "For my **followers**: notes from the cloud workshop with Consult are in the shared folder. Bob, Ben and Eva see this."},
			{key: "numbers", author: demoRef{"Vienna", "eva"}, audience: model.AudienceCompany,
				text: "Vienna closed the quarter 12% above plan. Thank you all! #sales"},
		},
		comments: []demoComment{
			{key: "welcome", author: demoRef{"Munich", "bob"}, text: "Hello Berlin, greetings from Munich!"},
			{key: "roadmap", author: demoRef{"Vienna", "lukas"}, text: "I will join from Vienna by video."},
		},
		likes: []demoLike{
			{key: "welcome", who: demoRef{"Vienna", "eva"}},
			{key: "welcome", who: demoRef{"Berlin", "ben"}},
			{key: "roadmap", who: demoRef{"Berlin", "alice"}},
		},
	}
}
