package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds the application's tasks, {@link dev.kyu.task.KyuTask} beans and {@link KyuTask} methods, as its
 * beans are made, and registers them all once every singleton exists: a name used twice or a method that
 * cannot be a task stops the start with a message naming both places.
 */
final class TaskBeans implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware {
    private record Found(dev.kyu.task.KyuTask<?, ?> task, String origin) {}

    private final List<Found> found = new ArrayList<>();
    private BeanFactory beanFactory;
    private volatile boolean registered;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof dev.kyu.task.KyuTask<?, ?> task) {
            add(new Found(
                    task,
                    "bean '" + beanName + "' (" + AopUtils.getTargetClass(bean).getName() + ")"));
        }
        Class<?> type = AopUtils.getTargetClass(bean);
        if (type.getName().startsWith("java.") || type.getName().startsWith("org.springframework.")) return bean;
        Map<Method, KyuTask> methods =
                MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<KyuTask>)
                        m -> AnnotatedElementUtils.findMergedAnnotation(m, KyuTask.class));
        for (var e : methods.entrySet()) {
            Method invocable = AopUtils.selectInvocableMethod(e.getKey(), bean.getClass());
            MethodTask task = MethodTask.of(beanName, bean, e.getKey(), invocable, e.getValue());
            add(new Found(task, task.origin()));
        }
        return bean;
    }

    private synchronized void add(Found f) {
        if (registered) {
            // A bean made after start-up (lazy, prototype) would add a task no worker was told about.
            throw new KyuStartupException(f.origin() + " defines task '"
                    + f.task().name() + "' after the application started: task beans must be eager singletons");
        }
        found.add(f);
    }

    @Override
    public synchronized void afterSingletonsInstantiated() {
        var byName = new LinkedHashMap<String, Found>();
        for (Found f : found) {
            Found other = byName.putIfAbsent(f.task().name(), f);
            if (other != null) {
                throw new KyuStartupException("two tasks are named '" + f.task().name() + "': " + other.origin()
                        + " and " + f.origin() + "; rename one of them");
            }
        }
        Kyu kyu = beanFactory.getBean(Kyu.class);
        for (Found f : byName.values()) {
            try {
                kyu.register(f.task());
            } catch (KyuException e) {
                throw new KyuStartupException(f.origin() + " cannot be registered: " + e.getMessage(), e);
            }
        }
        registered = true;
    }

    /** The names registered from the application's beans, in the order found. */
    synchronized List<String> names() {
        return found.stream().map(f -> f.task().name()).toList();
    }
}
