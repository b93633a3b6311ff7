package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/realtime"
	"github.com/apiary/apiary/storage/cluster"
)

// fakeHub is an in-memory pub/sub shared by fake cluster members; every
// message reaches every subscriber, the sender included, as Olric does.
type fakeHub struct {
	mu   sync.Mutex
	subs map[string][]func([]byte)
	fail error
}

type fakeMember struct {
	hub  *fakeHub
	node string
}

var _ cluster.Cluster = fakeMember{}

func (m fakeMember) Publish(_ context.Context, channel string, p []byte) error {
	m.hub.mu.Lock()
	fns := append([]func([]byte){}, m.hub.subs[channel]...)
	fail := m.hub.fail
	m.hub.mu.Unlock()
	if fail != nil {
		return fail
	}
	for _, fn := range fns {
		fn(p)
	}
	return nil
}

func (m fakeMember) Subscribe(channel string, fn func([]byte)) func() {
	m.hub.mu.Lock()
	defer m.hub.mu.Unlock()
	if m.hub.subs == nil {
		m.hub.subs = map[string][]func([]byte){}
	}
	m.hub.subs[channel] = append(m.hub.subs[channel], fn)
	return func() {}
}

func (fakeMember) Incr(context.Context, string, string, time.Duration) (int, error) { return 0, nil }
func (fakeMember) Members(context.Context) []string                                 { return nil }
func (fakeMember) Lock(context.Context, string, time.Duration, time.Duration) (func(), error) {
	return func() {}, nil
}
func (fakeMember) Update(ctx context.Context, dmap, key string, fn func([]byte) ([]byte, time.Duration)) error {
	fn(nil)
	return nil
}
func (fakeMember) Ready() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}
func (m fakeMember) Node() string              { return m.node }
func (fakeMember) Close(context.Context) error { return nil }

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestClusterBrokerCrossesNodesOnce(t *testing.T) {
	t.Parallel()
	hub := &fakeHub{}
	a := newClusterBroker(fakeMember{hub, "a"}, quietLog())
	b := newClusterBroker(fakeMember{hub, "b"}, quietLog())
	var mu sync.Mutex
	got := map[string][]string{}
	for name, br := range map[string]*clusterBroker{"a": a, "b": b} {
		br.Subscribe("note", func(e *realtime.Event) {
			mu.Lock()
			defer mu.Unlock()
			got[name] = append(got[name], e.Kind+":"+string(e.Data)+":"+e.Source)
		})
	}
	row := &realtime.RowMeta{}
	if err := a.Publish(context.Background(), &realtime.Event{Topic: "note", Kind: "create", Source: "database", Data: []byte(`{"x":1}`), Row: row}); err != nil {
		t.Fatal(err)
	}
	want := []string{`create:{"x":1}:database`}
	if !reflect.DeepEqual(got["a"], want) || !reflect.DeepEqual(got["b"], want) {
		t.Errorf("deliveries: %v", got)
	}
	if !a.Subscribed("anything") {
		t.Error("a cluster broker must report every topic as subscribed")
	}
	// Garbage on the channel is ignored.
	b.received([]byte("not json"))
	if len(got["b"]) != 1 {
		t.Errorf("garbage delivered: %v", got["b"])
	}
	// A failing cluster still delivers locally.
	hub.fail = errors.New("down")
	if err := a.Publish(context.Background(), &realtime.Event{Topic: "note", Kind: "update"}); err != nil {
		t.Errorf("publish with the cluster down: %v", err)
	}
	if len(got["a"]) != 2 || len(got["b"]) != 1 {
		t.Errorf("with the cluster down: %v", got)
	}
}

func TestClusterRooms(t *testing.T) {
	t.Parallel()
	hub := &fakeHub{}
	a := newClusterRooms(fakeMember{hub, "a"}, quietLog())
	b := newClusterRooms(fakeMember{hub, "b"}, quietLog())
	var onA, onB, other [][]byte
	a.Listen("doc", func(u []byte) { onA = append(onA, u) })
	stop := b.Listen("doc", func(u []byte) { onB = append(onB, u) })
	b.Listen("other", func(u []byte) { other = append(other, u) })
	a.Send("doc", []byte{1, 2})
	if len(onA) != 0 || len(onB) != 1 || string(onB[0]) != "\x01\x02" || len(other) != 0 {
		t.Errorf("after send: a=%v b=%v other=%v", onA, onB, other)
	}
	stop()
	a.Send("doc", []byte{3})
	if len(onB) != 1 {
		t.Errorf("stopped listener still called: %v", onB)
	}
	b.mu.Lock()
	_, kept := b.subs["doc"]
	b.mu.Unlock()
	if kept {
		t.Error("room with no listeners kept")
	}
	b.received([]byte("{"))
	hub.fail = errors.New("down")
	a.Send("other", []byte{9}) // logged, not delivered, no panic
	if len(other) != 0 {
		t.Errorf("delivered with the cluster down: %v", other)
	}
}

// fakeKV is an in-memory cluster.KV.
type fakeKV struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ cluster.KV = (*fakeKV)(nil)

func (k *fakeKV) key(dmap, key string) string { return dmap + "\x00" + key }

func (k *fakeKV) PutNew(_ context.Context, dmap, key string, v []byte) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[k.key(dmap, key)]; ok {
		return false, nil
	}
	k.m[k.key(dmap, key)] = v
	return true, nil
}

func (k *fakeKV) Put(_ context.Context, dmap, key string, v []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[k.key(dmap, key)] = v
	return nil
}

func (k *fakeKV) Get(_ context.Context, dmap, key string) ([]byte, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[k.key(dmap, key)]
	return v, ok, nil
}

func (k *fakeKV) Delete(_ context.Context, dmap, key string) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.m[k.key(dmap, key)]
	delete(k.m, k.key(dmap, key))
	return ok, nil
}

func (k *fakeKV) Keys(_ context.Context, dmap, prefix string) ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for full := range k.m {
		if d, key, _ := strings.Cut(full, "\x00"); d == dmap && strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
	}
	return out, nil
}

func TestClusterTopics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kv := &fakeKV{m: map[string][]byte{}}
	ts := clusterTopics{kv: kv}
	meta := realtime.TopicMeta{Owner: "u-1", Permission: realtime.DefaultTopicPermission}
	if ok, err := ts.Create(ctx, "chat", meta); !ok || err != nil {
		t.Fatalf("create: %v %v", ok, err)
	}
	if ok, _ := ts.Create(ctx, "chat", realtime.TopicMeta{Owner: "u-2"}); ok {
		t.Error("second create of the same topic succeeded")
	}
	if m, ok, err := ts.Get(ctx, "chat"); !ok || err != nil || m != meta {
		t.Errorf("get: %+v %v %v", m, ok, err)
	}
	if _, ok, err := ts.Get(ctx, "none"); ok || err != nil {
		t.Errorf("get missing: %v %v", ok, err)
	}
	if err := ts.Put(ctx, "news", realtime.TopicMeta{Owner: "u-3"}); err != nil {
		t.Fatal(err)
	}
	_ = kv.Put(ctx, "other-map", topicKeyPrefix+"hidden", []byte("{}"))
	names, err := ts.Names(ctx)
	sort.Strings(names)
	if err != nil || !reflect.DeepEqual(names, []string{"chat", "news"}) {
		t.Errorf("names: %v %v", names, err)
	}
	if ok, _ := ts.Delete(ctx, "chat"); !ok {
		t.Error("delete of an existing topic reported none")
	}
	if ok, _ := ts.Delete(ctx, "chat"); ok {
		t.Error("second delete reported a topic")
	}
}
