package io.tokensiege.coordinator.cluster;

import com.hazelcast.collection.IQueue;
import java.lang.reflect.Proxy;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Hazelcast's queue interface over an in-memory queue, for the classes that only offer to a worker's queue and clear it. */
final class InMemoryQueue {
    private InMemoryQueue() {}

    /** An IQueue whose every call goes to the same-named method of {@code backing}. */
    @SuppressWarnings("unchecked")
    static IQueue<String> over(BlockingQueue<String> backing) {
        return (IQueue<String>) Proxy.newProxyInstance(InMemoryQueue.class.getClassLoader(), new Class<?>[] {IQueue.class},
                (proxy, method, args) -> LinkedBlockingQueue.class.getMethod(method.getName(), method.getParameterTypes()).invoke(backing, args));
    }
}
