package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MjpegWritersTest {

    private final AtomicInteger handOffs = new AtomicInteger();
    private final ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(2) {
        @Override
        public void execute(Runnable command) {
            handOffs.incrementAndGet();
            super.execute(command);
        }
    };
    private final MjpegWriters writers = new MjpegWriters(pool);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aBurstOfStepsQueuedWhileOneRunsCostsOneMoreHandOff() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        writers.execute(() -> {
            started.countDown();
            await(blocking);
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
            writers.execute(() -> {
                ran.incrementAndGet();
                all.countDown();
            });
        }
        blocking.countDown();
        assertTrue(all.await(30, TimeUnit.SECONDS));
        assertEquals(200, ran.get());
        assertEquals(1, handOffs.get(), "the running drain took the 200 steps queued meanwhile");
    }

    @Test
    void stepsFromManyThreadsRunExactlyOnceAndAFailingStepStopsNothing() throws Exception {
        int threads = 4;
        int each = 2_000;
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(threads * each);
        Thread[] producers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            producers[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    boolean fail = i % 500 == 0;
                    writers.execute(() -> {
                        ran.incrementAndGet();
                        all.countDown();
                        if (fail) {
                            throw new IllegalStateException("a step that fails");
                        }
                    });
                }
            });
            producers[t].start();
        }
        for (Thread p : producers) {
            p.join();
        }
        assertTrue(all.await(30, TimeUnit.SECONDS), "every step ran; left: " + all.getCount());
        Thread.sleep(50); // a step run twice would show up here
        assertEquals(threads * each, ran.get());
    }

    @Test
    void aShutDownPoolRefusesSteps() {
        pool.shutdownNow();
        assertThrows(RejectedExecutionException.class, () -> writers.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> writers.execute(() -> { }), "and keeps refusing");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
