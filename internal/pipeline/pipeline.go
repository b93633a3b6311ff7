package pipeline

import (
	"context"
	"sync"
)

// Producer is what the producer goroutine of Run gets.
type Producer[T any] struct {
	ctx  context.Context
	free chan *T
	full chan *T
}

// Context ends when the consumer stops (or the caller's context ends).
func (p *Producer[T]) Context() context.Context { return p.ctx }

// Take returns a free buffer to fill; ok is false when the consumer has
// stopped, and the producer should return.
func (p *Producer[T]) Take() (b *T, ok bool) {
	select {
	case b = <-p.free:
		return b, true
	case <-p.ctx.Done():
		return nil, false
	}
}

// Send hands a filled buffer to the consumer, which owns it from then on;
// ok is false when the consumer has stopped, and the producer should return.
func (p *Producer[T]) Send(b *T) bool {
	select {
	case p.full <- b:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// Run runs produce on a new goroutine and consume on the caller's, over
// the buffers bufs (their number bounds the memory in flight). consume
// sees the buffers in the order they were sent; after it returns, recycle
// readies the buffer for reuse and it goes back to the producer.
//
// Run returns when consume stops (stop true or an error: stopped is true,
// err is consume's) or when produce has returned and every buffer it sent
// is consumed (stopped is false, err is ctx's error if ctx ended). It
// never leaves the producer goroutine behind, and a panic in produce is
// raised again on the caller's goroutine.
func Run[T any](ctx context.Context, bufs []*T, produce func(p *Producer[T]),
	consume func(b *T) (stop bool, err error), recycle func(b *T)) (stopped bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	p := &Producer[T]{ctx: ctx, free: make(chan *T, len(bufs)), full: make(chan *T, len(bufs))}
	for _, b := range bufs {
		p.free <- b
	}
	var wg sync.WaitGroup
	var panicked any
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(p.full)
		defer func() { panicked = recover() }()
		produce(p)
	}()
	defer func() {
		cancel()
		wg.Wait()
		if panicked != nil {
			panic(panicked) // on the caller's goroutine, as a plain loop would
		}
	}()
	for b := range p.full {
		stop, err := consume(b)
		if stop || err != nil {
			return true, err
		}
		recycle(b)
		p.free <- b
	}
	if panicked != nil { // full is closed, so produce is done; the deferred func re-raises
		return false, nil
	}
	return false, ctx.Err()
}
