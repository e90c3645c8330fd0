import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Event } from '@retract/protocol';
import { snapshotFromFetch } from '../src/snapshot.js';
import { TimelineStore } from '../src/store.js';
import { me } from './fixtures.js';
import { actionArb, deliverEarly, Model } from './model.js';

// One size up from fast-check's default, so scripts are long enough to recall what they sent.
const actions = fc.array(actionArb, { maxLength: 60, size: '+1' });
// At least one flag, so early delivery happens in most runs rather than a few.
const earlyFlags = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 });

function fetchedSnapshot(model: Model) {
  const fetched = model.fetch();
  return snapshotFromFetch(me, fetched.conversations, fetched.messagesByConversation);
}

describe('TimelineStore properties', () => {
  it('applying events with duplicates (in seq order, plus stale re-deliveries) equals applying them once', () => {
    fc.assert(
      fc.property(
        actions,
        fc.array(fc.record({ repeat: fc.integer({ min: 1, max: 3 }), stale: fc.option(fc.nat()) }), {
          maxLength: 80,
        }),
        (script, deliveries) => {
          const { events } = Model.run(script);
          const once = new TimelineStore({ userId: me });
          once.applyAll(events);

          const noisy: Event[] = [];
          events.forEach((event, i) => {
            const delivery = deliveries[i % Math.max(deliveries.length, 1)] ?? { repeat: 1, stale: null };
            for (let r = 0; r < delivery.repeat; r += 1) noisy.push(event);
            if (delivery.stale !== null) noisy.push(events[delivery.stale % (i + 1)] ?? event);
          });
          const twice = new TimelineStore({ userId: me });
          twice.applyAll(noisy);

          assert.deepEqual(twice.snapshot(), once.snapshot());
          assert.equal(twice.cursor, once.cursor);
        },
      ),
    );
  });

  it('a fresh device that applies every event (some recalls and hides delivered early) equals a fresh fetch', () => {
    fc.assert(
      fc.property(actions, earlyFlags, fc.boolean(), (script, early, replayed) => {
        const model = Model.run(script);
        const delivered = deliverEarly(model.events, early);
        const store = new TimelineStore({ userId: me });
        store.applyAll(replayed ? delivered.map((e) => model.renderNow(e)) : delivered);
        assert.deepEqual(store.snapshot(), fetchedSnapshot(model));
      }),
    );
  });

  it('a stale device (fetched after k actions) that applies the events after its cursor equals a fresh fetch', () => {
    fc.assert(
      fc.property(actions, fc.nat(), fc.boolean(), (script, cut, replayed) => {
        const k = script.length === 0 ? 0 : cut % (script.length + 1);
        const stale = Model.run(script.slice(0, k)).fetch();
        const model = Model.run(script);
        const store = new TimelineStore({ userId: me });
        store.loadSnapshot(stale);
        const after = model.events.filter((e) => e.seq > stale.cursor);
        store.applyAll(replayed ? after.map((e) => model.renderNow(e)) : after);
        assert.deepEqual(store.snapshot(), fetchedSnapshot(model));
      }),
    );
  });

  it('once a recall is applied, its message never shows content again, whatever the delivery order', () => {
    fc.assert(
      fc.property(actions, earlyFlags, (script, early) => {
        const store = new TimelineStore({ userId: me });
        const recalled = new Set<string>();
        for (const event of deliverEarly(Model.run(script).events, early)) {
          store.apply(event);
          if (event.type === 'message.recalled') recalled.add(event.messageId);
          for (const conversation of store.snapshot().conversations) {
            for (const message of conversation.messages) {
              if (recalled.has(message.id)) assert.equal(message.body, null, `${message.id} shows content`);
            }
          }
        }
      }),
    );
  });
});
