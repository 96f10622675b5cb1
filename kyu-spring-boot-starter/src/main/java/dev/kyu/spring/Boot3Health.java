package dev.kyu.spring;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * The {@code kyu} health contributor on Spring Boot 3.5, whose HealthIndicator lives in another package
 * than Boot 4's. The starter is compiled against Boot 4, so this one implements Boot 3's interface at run
 * time; the health itself is {@link KyuHealth}'s, the same on both.
 */
final class Boot3Health implements ImportBeanDefinitionRegistrar, BeanFactoryAware {
    static final String INDICATOR = "org.springframework.boot.actuate.health.HealthIndicator";
    private static final String HEALTH = "org.springframework.boot.actuate.health.Health";

    private BeanFactory beanFactory;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = beanFactory;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        if (registry.containsBeanDefinition("kyuHealthIndicator")) return;
        ClassLoader loader = Boot3Health.class.getClassLoader();
        Class indicator = ClassUtils.resolveClassName(INDICATOR, loader);
        var definition =
                new RootBeanDefinition(indicator, () -> indicator(indicator, beanFactory.getBean(KyuHealth.class)));
        registry.registerBeanDefinition("kyuHealthIndicator", definition);
    }

    static Object indicator(Class<?> indicator, KyuHealth health) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("health") && method.getParameterCount() == 0) return health(health.check());
            if (method.isDefault()) return InvocationHandler.invokeDefault(proxy, method, args);
            return switch (method.getName()) {
                case "toString" -> "KyuHealthIndicator (Spring Boot 3)";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            };
        };
        return Proxy.newProxyInstance(Boot3Health.class.getClassLoader(), new Class<?>[] {indicator}, handler);
    }

    private static Object health(KyuHealth.Report report) throws ReflectiveOperationException {
        Class<?> health = ClassUtils.resolveClassName(HEALTH, Boot3Health.class.getClassLoader());
        Object builder = health.getMethod(report.up() ? "up" : "down").invoke(null);
        Method withDetails = builder.getClass().getMethod("withDetails", Map.class);
        builder = withDetails.invoke(builder, report.details());
        return builder.getClass().getMethod("build").invoke(builder);
    }
}
