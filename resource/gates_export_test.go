package resource

// GatesLoaded reports whether the table-gate cache holds the gates.
func GatesLoaded(res Service) bool {
	g, _ := res.(*svc).cache.gateMap()
	return g != nil
}
