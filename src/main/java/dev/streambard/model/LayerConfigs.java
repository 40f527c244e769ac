package dev.streambard.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /**
     * Wires a runtime layer as DL4J's own {@code instantiate} methods do: listeners, index, its view of the
     * network's parameters, and their table (initialised when asked).
     */
    static <L extends Layer> L wire(L layer, ParamInitializer initializer, NeuralNetConfiguration conf,
                                    Collection<TrainingListener> listeners, int layerIndex, INDArray layerParamsView,
                                    boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer.init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
