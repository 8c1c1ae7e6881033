/**
 * The map drawing shared by the web page and {@code ipam map}: a subnet's {@link io.ipam.core.SubnetMap} becomes one
 * {@link io.ipam.ui.map.Scene} ({@link io.ipam.ui.map.MapScene}), rendered to SVG and to PNG by renderers that draw
 * exactly the scene's shapes. Rule: nothing is drawn outside the scene, so the page, the SVG and the PNG never differ
 * in what they show.
 */
package io.ipam.ui.map;
