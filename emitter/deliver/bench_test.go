package deliver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flagscan/flagscan/analyzer/event"

	"github.com/flagscan/flagscan/emitter"
	"github.com/flagscan/flagscan/emitter/deliver"
	"github.com/flagscan/flagscan/emitter/internal/testenv"
	"github.com/flagscan/flagscan/emitter/outbox"
)

// BenchmarkDeliver measures throughput: b.N events, already in the outbox,
// signed and delivered to a local receiver by one Deliver pass.
//
//	go test ./emitter/deliver -run '^$' -bench Deliver -benchtime 2000x
func BenchmarkDeliver(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			db := testenv.OpenDB(b, "")
			secret := testenv.NewSecret()
			rc := testenv.NewReceiver(b, "", nil)
			sub := testenv.Sub("bench", rc.URL, secret)
			subs := []emitter.Subscription{sub}
			events := make([]outbox.Event, b.N)
			for i := range events {
				// 64 keys: ordering leaves room for the workers.
				events[i] = testenv.Event(fmt.Sprintf("evt_%d", i), event.FlagNew, fmt.Sprintf("key-%d", i%64))
			}
			testenv.Enqueue(b, db, subs, events...)
			d := newDeliverer(b, db, subs, deliver.Options{Workers: workers})
			b.ResetTimer()
			start := time.Now()
			st, err := d.Deliver(context.Background(), 0)
			el := time.Since(start)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if st.Delivered != b.N || rc.Count() != b.N {
				b.Fatalf("delivered %d, received %d, want %d", st.Delivered, rc.Count(), b.N)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
		})
	}
}

// BenchmarkPushToArrival measures the time from a push's transaction
// committing its events to the receiver having them: the inline delivery
// `flagscan push` makes, and a `deliver --watch` worker woken in-process.
// (A watch in another process finds new events within its poll interval,
// 1s by default.)
//
//	go test ./emitter/deliver -run '^$' -bench PushToArrival
func BenchmarkPushToArrival(b *testing.B) {
	for _, mode := range []string{"inline", "watch"} {
		b.Run(mode, func(b *testing.B) {
			db := testenv.OpenDB(b, "")
			arrived := make(chan struct{}, 1)
			rc := testenv.NewReceiver(b, "", func(*testenv.Request) testenv.Reply {
				arrived <- struct{}{}
				return testenv.Reply{Status: 204}
			})
			sub := testenv.Sub("bench", rc.URL, testenv.NewSecret())
			subs := []emitter.Subscription{sub}
			d := newDeliverer(b, db, subs, deliver.Options{PollInterval: time.Second})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if mode == "watch" {
				done := make(chan struct{})
				go func() { d.Watch(ctx); close(done) }()
				defer func() { cancel(); <-done }()
			}
			var total time.Duration
			b.ResetTimer()
			for i := range b.N {
				ev := testenv.Event(fmt.Sprintf("evt_%d", i), event.FlagNew, "k")
				start := time.Now()
				testenv.Enqueue(b, db, subs, ev)
				if mode == "inline" {
					if _, err := d.Deliver(ctx, 2*time.Second); err != nil {
						b.Fatal(err)
					}
				} else {
					d.Wake()
				}
				<-arrived
				total += time.Since(start)
			}
			b.StopTimer()
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/push")
		})
	}
}
