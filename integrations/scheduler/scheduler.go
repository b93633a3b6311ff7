package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// TaskTable is the table whose rows are scheduled.
const TaskTable = "task"

// historySize is how many runs each task remembers.
const historySize = 20

// Runner runs one task as the principal ctx carries: jobType is the
// task's job_type ("" or "action" for an action, "sync" for a sync job).
type Runner func(ctx context.Context, jobType, typ, action string, attrs map[string]any) error

// Options are the dependencies of a Scheduler.
type Options struct {
	Res   func() resource.Service
	Run   Runner
	Claim Claim // nil means LocalClaim
	Log   *slog.Logger
}

// Run is one execution of a task.
type Run struct {
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_ms"`
	Error    string    `json:"error,omitempty"`
}

// Job is the live state of one task.
type Job struct {
	RefID    string         `json:"id"`
	Name     string         `json:"name"`
	Schedule string         `json:"schedule"`
	Action   string         `json:"action_name"`
	Entity   string         `json:"entity_name"`
	JobType  string         `json:"job_type"`
	Active   bool           `json:"active"`
	NextRun  time.Time      `json:"next_run,omitzero"`
	LastRun  time.Time      `json:"last_run,omitzero"`
	Err      string         `json:"last_error,omitempty"`
	History  []Run          `json:"history"`
	Runs     int            `json:"runs"`
	Attrs    map[string]any `json:"attributes"`
	userRef  string
	entry    cron.EntryID
	sig      string
	// fired is the last second this node claimed the job for: a firing
	// delayed into the next second does not run that second again.
	fired int64
}

// Scheduler runs the task table.
type Scheduler struct {
	o      Options
	cron   *cron.Cron
	mu     sync.Mutex
	jobs   map[string]*Job
	cancel func()
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	resync chan struct{} // a pending Resync (capacity 1: requests coalesce)
}

// New builds a Scheduler; nothing runs until Start.
func New(o Options) *Scheduler {
	if o.Claim == nil {
		o.Claim = LocalClaim{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{o: o, jobs: map[string]*Job{}, cron: cron.New(), resync: make(chan struct{}, 1)}
}

// ParseSchedule parses a 5-field cron expression, a descriptor or @every.
func ParseSchedule(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(spec)
}

func system(ctx context.Context) context.Context { return auth.WithPrincipal(ctx, auth.System()) }

// Start loads every task, starts the clock and follows later changes.
func (s *Scheduler) Start(ctx context.Context) error {
	s.ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.load(ctx); err != nil {
		return err
	}
	s.cancel = s.o.Res().Subscribe(s.changed)
	s.cron.Start()
	s.wg.Add(1)
	go s.followResync()
	return nil
}

// load reads every task row and (re)schedules it; a task this node knows
// that is no longer in the table is removed.
func (s *Scheduler) load(ctx context.Context) error {
	res := s.o.Res()
	s.mu.Lock()
	known := make([]string, 0, len(s.jobs)) // only these may be removed: a task added meanwhile stays
	for ref := range s.jobs {
		known = append(known, ref)
	}
	s.mu.Unlock()
	seen := map[string]bool{}
	for page := 1; ; page++ {
		p, err := res.List(system(ctx), TaskTable, resource.Query{PageNumber: page, PageSize: resource.MaxPageSize})
		if err != nil {
			return fmt.Errorf("scheduler: list tasks: %w", err)
		}
		for _, row := range p.Rows {
			seen[row.RefID] = true
			s.apply(row)
		}
		if len(p.Rows) < resource.MaxPageSize {
			break
		}
	}
	for _, ref := range known {
		if !seen[ref] {
			s.remove(ref)
		}
	}
	return nil
}

// Resync asks the scheduler to read the task table again, for changes it
// was not told of row by row (another node's writes). It returns at once;
// requests made while one is pending are merged, and a request made before
// Start is served once started.
func (s *Scheduler) Resync() {
	select {
	case s.resync <- struct{}{}:
	default:
	}
}

// followResync serves Resync requests until Stop.
func (s *Scheduler) followResync() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.resync:
			if err := s.load(s.ctx); err != nil && s.ctx.Err() == nil {
				s.o.Log.Warn("tasks not reloaded", "err", err)
			}
		}
	}
}

// Stop stops the clock and waits for running tasks.
func (s *Scheduler) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	<-s.cron.Stop().Done()
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
}

// changed follows the task table: a create or update re-reads the row and
// reschedules it when what runs changed; a delete removes it.
func (s *Scheduler) changed(c resource.Change) {
	if c.Table != TaskTable {
		return
	}
	if c.Op == resource.OpDelete {
		s.remove(c.RefID)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		row, err := s.o.Res().Get(system(s.ctx), TaskTable, c.RefID, resource.Query{})
		if err != nil {
			s.remove(c.RefID)
			return
		}
		s.apply(row)
	}()
}

func (s *Scheduler) remove(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[ref]; ok {
		s.cron.Remove(j.entry)
		delete(s.jobs, ref)
	}
}

// apply (re)schedules one task row when its definition changed.
func (s *Scheduler) apply(row resource.Row) {
	j := jobOf(row)
	s.mu.Lock()
	old, ok := s.jobs[row.RefID]
	if ok && old.sig == j.sig {
		s.mu.Unlock()
		return
	}
	if ok {
		s.cron.Remove(old.entry)
		j.History, j.Runs, j.LastRun, j.fired = old.History, old.Runs, old.LastRun, old.fired
	}
	s.jobs[row.RefID] = j
	var problem string
	if j.Active {
		sched, err := ParseSchedule(j.Schedule)
		if err != nil {
			problem = "invalid schedule: " + err.Error()
		} else {
			ref := row.RefID
			j.entry = s.cron.Schedule(sched, cron.FuncJob(func() { s.fire(ref) }))
			j.NextRun = sched.Next(time.Now())
		}
	}
	j.Err = problem
	next := j.NextRun
	s.mu.Unlock()
	s.record(row.RefID, nil, next, problem, row.Attrs)
}

// jobOf reads a task row; sig covers every column that changes what runs.
func jobOf(row resource.Row) *Job {
	str := func(k string) string { v, _ := row.Attrs[k].(string); return v }
	attrs := map[string]any{}
	switch v := row.Attrs["attributes"].(type) {
	case map[string]any:
		attrs = v
	case string:
		_ = json.Unmarshal([]byte(v), &attrs)
	}
	j := &Job{RefID: row.RefID, Name: str("name"), Schedule: str("schedule"), Action: str("action_name"),
		Entity: str("entity_name"), JobType: str("job_type"), Active: resource.Truthy(row.Attrs["active"]),
		Attrs: attrs, userRef: str("as_user_id")}
	raw, _ := json.Marshal([]any{j.Schedule, j.Action, j.Entity, j.Active, attrs, j.userRef, j.JobType})
	j.sig = string(raw)
	return j
}

// fire runs one task now if this node claims this second's firing.
func (s *Scheduler) fire(ref string) {
	s.mu.Lock()
	j, ok := s.jobs[ref]
	if !ok {
		s.mu.Unlock()
		return
	}
	sec := time.Now().Truncate(time.Second).Unix()
	if sec <= j.fired {
		s.mu.Unlock()
		return
	}
	j.fired = sec
	job := *j
	s.mu.Unlock()
	held, err := s.o.Claim.Claim(s.ctx, ref, sec)
	if err != nil {
		s.o.Log.Warn("task firing not claimed", "task_id", ref, "err", err)
	}
	if err != nil || !held {
		return
	}
	s.wg.Add(1)
	defer s.wg.Done()
	_ = s.runJob(s.ctx, &job)
}

// RunNow runs a task at once, whatever its schedule, and returns its error.
func (s *Scheduler) RunNow(ctx context.Context, ref string) error {
	s.mu.Lock()
	j, ok := s.jobs[ref]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("no task %s", ref)
	}
	job := *j
	s.mu.Unlock()
	return s.runJob(ctx, &job)
}

func (s *Scheduler) runJob(ctx context.Context, job *Job) error {
	t0 := time.Now()
	err := s.execute(ctx, job)
	run := Run{Started: t0, Duration: float64(time.Since(t0).Microseconds()) / 1000}
	if err != nil {
		run.Error = err.Error()
		s.o.Log.Warn("task failed", "task", job.Name, "task_id", job.RefID, "err", err)
	}
	s.mu.Lock()
	var next time.Time
	if j, ok := s.jobs[job.RefID]; ok {
		j.LastRun, j.Err = t0, run.Error
		j.Runs++
		j.History = append(j.History, run)
		if len(j.History) > historySize {
			j.History = j.History[len(j.History)-historySize:]
		}
		if e := s.cron.Entry(j.entry); e.Valid() {
			next = e.Schedule.Next(time.Now())
			j.NextRun = next
		}
	}
	s.mu.Unlock()
	s.record(job.RefID, &t0, next, run.Error, nil)
	return err
}

// execute runs the task's action as its user (or as the system when the
// task names none).
func (s *Scheduler) execute(ctx context.Context, job *Job) error {
	res := s.o.Res()
	p := auth.System()
	if job.userRef != "" {
		u, err := res.Get(system(ctx), schema.TableUser, job.userRef, resource.Query{})
		if err != nil {
			return fmt.Errorf("task user: %w", err)
		}
		email, _ := u.Attrs["email"].(string)
		if p, err = res.PrincipalByEmail(ctx, email); err != nil {
			return fmt.Errorf("task user: %w", err)
		}
	}
	attrs := make(map[string]any, len(job.Attrs))
	for k, v := range job.Attrs {
		attrs[k] = v
	}
	return s.o.Run(auth.WithPrincipal(ctx, p), job.JobType, job.Entity, job.Action, attrs)
}

// record writes last_run, next_run and last_error on the task row.
func (s *Scheduler) record(ref string, last *time.Time, next time.Time, problem string, cur map[string]any) {
	attrs := map[string]any{"last_error": problem}
	if last != nil {
		attrs["last_run"] = last.UTC().Format(time.RFC3339)
	}
	if !next.IsZero() {
		attrs["next_run"] = next.UTC().Format(time.RFC3339)
	} else {
		attrs["next_run"] = nil
	}
	if cur != nil && same(cur, attrs) {
		return
	}
	if _, err := s.o.Res().Update(system(s.ctx), TaskTable, ref, resource.Input{Attributes: attrs}); err != nil {
		s.o.Log.Warn("task state not recorded", "task_id", ref, "err", err)
	}
}

// same reports whether the row already shows attrs (avoids an update
// loop through the change feed).
func same(cur, attrs map[string]any) bool {
	for k, v := range attrs {
		c := cur[k]
		if v == nil && (c == nil || c == "") {
			continue
		}
		if fmt.Sprint(c) != fmt.Sprint(v) {
			if t, ok := c.(time.Time); ok && t.UTC().Format(time.RFC3339) == v {
				continue
			}
			return false
		}
	}
	return true
}

// Jobs returns the state of every task, by name.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		c := *j
		c.History = append([]Run(nil), j.History...)
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}
