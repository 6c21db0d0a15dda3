import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { DeadlineQueue } from "./deadline_queue.ts";

function fakeClock() {
  return FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"] });
}

Deno.test("DeadlineQueue: fires each deadline after its delay, in the order added", () => {
  const clock = fakeClock();
  try {
    const q = new DeadlineQueue(100);
    const fired: string[] = [];
    q.add(() => fired.push("a"));
    clock.tick(40);
    q.add(() => fired.push("b"));
    clock.tick(59);
    assert.deepEqual(fired, []);
    clock.tick(1);
    assert.deepEqual(fired, ["a"]);
    clock.tick(39);
    assert.deepEqual(fired, ["a"]);
    clock.tick(1);
    assert.deepEqual(fired, ["a", "b"]);
    assert.equal(q.size, 0);
    assert.equal(clock.countTimers(), 0, "no timer is left armed");
  } finally {
    clock.uninstall();
  }
});

Deno.test("DeadlineQueue: a cancelled deadline never fires; an empty queue holds no timer", () => {
  const clock = fakeClock();
  try {
    const q = new DeadlineQueue(50);
    const fired: number[] = [];
    const first = q.add(() => fired.push(1));
    const second = q.add(() => fired.push(2));
    q.add(() => fired.push(3));
    second.cancel();
    first.cancel();
    first.cancel(); // idempotent
    assert.equal(q.size, 1, "cancelled entries at the head are dropped");
    clock.tick(50);
    assert.deepEqual(fired, [3]);
    const last = q.add(() => fired.push(4));
    assert.equal(clock.countTimers(), 1);
    last.cancel();
    assert.equal(clock.countTimers(), 0, "cancelling the last deadline clears the timer");
    clock.tick(100);
    assert.deepEqual(fired, [3]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("DeadlineQueue: a deadline behind a cancelled head still fires on time", () => {
  const clock = fakeClock();
  try {
    const q = new DeadlineQueue(100);
    const fired: number[] = [];
    const head = q.add(() => fired.push(1));
    clock.tick(30);
    q.add(() => fired.push(2));
    q.add(() => q.add(() => fired.push(4))); // a callback may add more
    head.cancel();
    clock.tick(99); // 129 ms: the timer armed for the cancelled head (100 ms) fired for nothing
    assert.deepEqual(fired, []);
    clock.tick(1); // 130 ms
    assert.deepEqual(fired, [2]);
    clock.tick(99);
    assert.deepEqual(fired, [2]);
    clock.tick(1); // 230 ms: 100 ms after the callback added it
    assert.deepEqual(fired, [2, 4]);
    assert.equal(clock.countTimers(), 0);
  } finally {
    clock.uninstall();
  }
});

Deno.test("DeadlineQueue: refuses a delay that is not a finite number", () => {
  assert.throws(() => new DeadlineQueue(Number.NaN), RangeError);
  assert.throws(() => new DeadlineQueue(-1), RangeError);
  assert.throws(() => new DeadlineQueue(Infinity), RangeError);
});
