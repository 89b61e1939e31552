package social

import "github.com/atrium-intranet/atrium/storage"

// BuildOrgGraph exposes the org chart's graph building to the benchmark; it returns how
// many people are at the top.
func BuildOrgGraph(edges []storage.OrgEdge) int { return len(buildOrgGraph(edges).tops) }
