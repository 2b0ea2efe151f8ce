package hls

// edits collects rewritten strings, applied only when all succeeded.
type edits struct {
	r    *rewriter
	to   []*string
	vals []string
	err  error
}

func (e *edits) uri(p *string) {
	if e.err != nil || *p == "" {
		return
	}
	b, err := e.r.appendURI(nil, *p)
	e.add(p, string(b), err)
}

func (e *edits) tags(tags []string) {
	for i := range tags {
		if e.err != nil {
			return
		}
		b, err := e.r.rewriteAttrs(nil, tags[i])
		e.add(&tags[i], string(b), err)
	}
}

func (e *edits) add(p *string, v string, err error) {
	if err != nil {
		e.err = err
		return
	}
	if v != *p {
		e.to, e.vals = append(e.to, p), append(e.vals, v)
	}
}

func (e *edits) apply() error {
	if e.err != nil {
		return e.err
	}
	for i, p := range e.to {
		*p = e.vals[i]
	}
	return nil
}

// Rewrite rewrites every URI of the playlist as opts says: segments, maps,
// keys and URI attributes of unmodelled tags. On error nothing is changed.
// Maps are changed in place, so a Map shared with another playlist changes
// there too.
func (p *MediaPlaylist) Rewrite(opts *RewriteOptions) error {
	r, err := newRewriter(opts)
	if err != nil {
		return err
	}
	e := &edits{r: r}
	mapURI := func(m *Map) {
		if m != nil {
			e.uri(&m.URI) // a shared Map gets the same edit twice
		}
	}
	mapURI(p.Map)
	e.tags(p.Tags)
	for i := range p.Segments {
		s := &p.Segments[i]
		e.uri(&s.URI)
		mapURI(s.Map)
		for k := range s.Keys {
			if s.Keys[k].Method != "NONE" {
				e.uri(&s.Keys[k].URI)
			}
		}
		e.tags(s.Tags)
	}
	e.tags(p.TrailingTags)
	return e.apply()
}

// Rewrite rewrites every URI of the master playlist as opts says: variants,
// renditions, I-frame variants and URI attributes of unmodelled tags. On
// error nothing is changed.
func (m *MasterPlaylist) Rewrite(opts *RewriteOptions) error {
	r, err := newRewriter(opts)
	if err != nil {
		return err
	}
	e := &edits{r: r}
	e.tags(m.Tags)
	for i := range m.Media {
		e.uri(&m.Media[i].URI)
	}
	for i := range m.Variants {
		e.uri(&m.Variants[i].URI)
	}
	for i := range m.IFrameVariants {
		e.uri(&m.IFrameVariants[i].URI)
	}
	return e.apply()
}
