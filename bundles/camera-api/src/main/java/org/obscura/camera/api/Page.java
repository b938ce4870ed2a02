package org.obscura.camera.api;

import java.util.List;

/**
 * One page of a longer listing.
 *
 * @param items  the items on this page
 * @param offset index of the first item in the whole listing
 * @param limit  the page size asked for
 * @param total  number of items in the whole listing
 */
public record Page<T>(List<T> items, int offset, int limit, int total) {
    public Page {
        items = List.copyOf(items);
    }
}
