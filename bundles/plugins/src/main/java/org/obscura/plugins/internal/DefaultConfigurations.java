package org.obscura.plugins.internal;

import java.util.Map;

/**
 * Where a feature's default configurations go (ConfigAdmin in the server). A key is a PID, or
 * {@code factoryPid~name} for a named factory configuration.
 */
interface DefaultConfigurations {

    /**
     * Creates the configuration unless it exists.
     *
     * @return whether it was created (false: it existed and was left alone)
     */
    boolean createIfAbsent(String key, Map<String, Object> properties);

    /** Deletes a configuration this feature install created, when the install is rolled back. */
    void delete(String key);

    DefaultConfigurations NONE = new DefaultConfigurations() {
        @Override
        public boolean createIfAbsent(String key, Map<String, Object> properties) {
            return false;
        }

        @Override
        public void delete(String key) {
        }
    };
}
