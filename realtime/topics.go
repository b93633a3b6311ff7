package realtime

import (
	"context"
	"sort"
	"sync"

	"github.com/apiary/apiary/auth"
)

// TopicMeta is what is stored about a user topic.
type TopicMeta struct {
	Owner      string `json:"owner"` // user reference id
	Permission int64  `json:"permission"`
}

// DefaultTopicPermission is UserCRUD|UserExecute: the owner only.
const DefaultTopicPermission = int64(auth.UserCRUD | auth.UserExecute)

// TopicStore keeps user topics. The memory store serves one node; a
// cluster store (a distributed map) implements the same interface.
type TopicStore interface {
	// Create stores meta under name unless the name exists.
	Create(ctx context.Context, name string, meta TopicMeta) (created bool, err error)
	Get(ctx context.Context, name string) (TopicMeta, bool, error)
	Delete(ctx context.Context, name string) (bool, error)
	Put(ctx context.Context, name string, meta TopicMeta) error
	Names(ctx context.Context) ([]string, error)
}

// MemoryTopics is the in-process TopicStore.
type MemoryTopics struct {
	mu sync.Mutex
	m  map[string]TopicMeta
}

// NewMemoryTopics returns an empty store.
func NewMemoryTopics() *MemoryTopics { return &MemoryTopics{m: map[string]TopicMeta{}} }

// Create implements TopicStore.
func (s *MemoryTopics) Create(_ context.Context, name string, meta TopicMeta) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; ok {
		return false, nil
	}
	s.m[name] = meta
	return true, nil
}

// Get implements TopicStore.
func (s *MemoryTopics) Get(_ context.Context, name string) (TopicMeta, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.m[name]
	return m, ok, nil
}

// Delete implements TopicStore.
func (s *MemoryTopics) Delete(_ context.Context, name string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[name]
	delete(s.m, name)
	return ok, nil
}

// Put implements TopicStore.
func (s *MemoryTopics) Put(_ context.Context, name string, meta TopicMeta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = meta
	return nil
}

// Names implements TopicStore.
func (s *MemoryTopics) Names(_ context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.m))
	for n := range s.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// topicObject turns user-topic metadata into a permission object for p.
func topicObject(p auth.Principal, m TopicMeta) auth.Object {
	obj := auth.Object{Permission: auth.Permission(m.Permission), OwnerID: -1}
	if p.UserID != 0 && p.UserRef == m.Owner {
		obj.OwnerID = p.UserID
	}
	return obj
}
