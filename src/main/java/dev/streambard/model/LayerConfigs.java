package dev.streambard.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/** Helpers for DL4J layer configurations whose runtime layer this package replaces. */
final class LayerConfigs {

    private LayerConfigs() {
    }

    /**
     * Copies every instance field that {@code type} and its superclasses declare from {@code from} into
     * {@code into}: DL4J's builders have private constructors, so a subclass of a configuration is filled
     * from one a builder made (defaults included).
     */
    static <S, T extends S> T copyFields(Class<S> type, S from, T into) {
        try {
            for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) continue;
                    f.setAccessible(true);
                    f.set(into, f.get(from));
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot copy DL4J's " + type.getSimpleName() + " configuration", e);
        }
        return into;
    }
}
