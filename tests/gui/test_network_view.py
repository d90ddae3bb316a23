"""The network view: cells and links for a topology, live maps, and what clicks and hovers report."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from engine import palette
from engine.commands import ApplyArchitecture, SetData
from engine.config import Architecture
from engine.datasets import generate
from engine.features import FEATURES
from engine.live import LiveSession, Snapshot
from gui.widgets.network_view import NetworkView

LEFT = Qt.MouseButton.LeftButton


def make_snapshot(features: list[str], hidden: list[int], epochs: int = 0) -> Snapshot:
    """A real snapshot of a tanh network on the circle data set."""
    session = LiveSession(seed=1)
    points, labels = generate("circle", 200, seed=1)
    test_mask = np.arange(len(points)) % 2 == 0
    session.handle(1, SetData(points, labels, test_mask, (-6.0, 6.0)))
    session.handle(2, ApplyArchitecture(Architecture(hidden=tuple(hidden), activations=("tanh",) * len(hidden),
                                                     features=tuple(features))))
    assert session.message == ""
    for _ in range(epochs):
        session.train_epoch()
    return session.snapshot()


@pytest.fixture
def view(qtbot) -> NetworkView:
    """A shown 600 x 450 network view with features x1, x2, x1² and hidden layers 4, 3."""
    widget = NetworkView()
    qtbot.addWidget(widget)
    widget.resize(600, 450)
    widget.set_structure(["x1", "x2", "x1sq"], [4, 3], ["tanh", "relu"], 1)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def colour_at(view: NetworkView, point: QPoint) -> QColor:
    """The colour the user sees at ``point`` of the diagram."""
    return view.viewport().grab().toImage().pixelColor(point)


def test_set_structure_builds_a_cell_per_node_and_a_link_per_weight(view):
    layout = view.canvas.geometry_layout
    assert view.canvas.atlas.shape == (7 + 4 + 3 + 1, 50, 50)
    assert len(layout.input_cells) == 7
    assert [len(cells) for cells in layout.neuron_cells] == [4, 3, 1]
    assert len(layout.segments) == 3 * 4 + 4 * 3 + 3 * 1
    assert len({tuple(ids) for ids in layout.link_ids}) == len(layout.link_ids)
    view.set_structure(list(FEATURES), [16, 16, 2], ["tanh"] * 3, 3)
    layout = view.canvas.geometry_layout
    assert [len(cells) for cells in layout.neuron_cells] == [16, 16, 2, 3]
    assert len(layout.segments) == 7 * 16 + 16 * 16 + 16 * 2 + 2 * 3
    view.set_structure(["x2"], [], [], 1)
    assert len(view.canvas.geometry_layout.segments) == 1
    assert view.layers_label.text() == "0 hidden layers"


def test_every_cell_lies_inside_the_diagram(view):
    view.set_structure(list(FEATURES), [16] * 8, ["tanh"] * 8, 1)
    canvas = view.canvas
    layout = canvas.geometry_layout
    corners = np.concatenate([layout.input_cells, *layout.neuron_cells])
    assert corners.min() >= 0
    assert (corners[:, 0] + layout.cell).max() <= canvas.width()
    assert (corners[:, 1] + layout.cell).max() <= canvas.height()


def test_update_snapshot_draws_each_neuron_map_into_its_atlas_tile(view):
    snap = make_snapshot(["x1", "x2", "x1sq"], [4, 3])
    view.update_snapshot(snap)
    canvas = view.canvas
    for l, j in [(1, 0), (1, 3), (2, 2)]:
        # Maps arrive with row 0 at the bottom; the atlas (an image) has row 0 on top.
        np.testing.assert_array_equal(canvas.atlas[canvas.tile_index(l, j)], snap.neuron_levels[l - 1][j][::-1])


def test_a_changed_neuron_map_changes_its_tile_and_the_colour_on_screen(view):
    snap = make_snapshot(["x1", "x2", "x1sq"], [4, 3])
    levels = [np.array(a) for a in snap.neuron_levels]
    levels[0][2] = 0  # neuron (1, 2): activation -1 everywhere (orange)
    view.update_snapshot(dataclasses.replace(snap, neuron_levels=tuple(levels)))
    canvas = view.canvas
    before = canvas.atlas.copy()
    assert (before[canvas.tile_index(1, 2)] == 0).all()
    assert colour_at(view, view.neuron_center(1, 2)) == QColor(*map(int, palette.CLASS_COLORS[0]))

    levels[0][2] = 254  # now +1 everywhere (blue)
    view.update_snapshot(dataclasses.replace(snap, neuron_levels=tuple(levels)))
    changed = np.flatnonzero((canvas.atlas != before).any(axis=(1, 2)))
    assert changed.tolist() == [canvas.tile_index(1, 2)]
    assert colour_at(view, view.neuron_center(1, 2)) == QColor(*map(int, palette.CLASS_COLORS[1]))


def test_binary_output_map_spans_orange_to_blue(view):
    snap = make_snapshot(["x1", "x2", "x1sq"], [4, 3])
    levels = [np.array(a) for a in snap.neuron_levels]
    levels[-1][0, :, :25] = 127  # probability 0 on the left half ...
    levels[-1][0, :, 25:] = 254  # ... and 1 on the right
    view.update_snapshot(dataclasses.replace(snap, neuron_levels=tuple(levels)))
    tile = view.canvas.atlas[view.canvas.tile_index(3, 0)]
    assert (tile[:, :25] == 0).all() and (tile[:, 25:] == 254).all()


def test_a_snapshot_of_another_topology_is_ignored(view):
    before = view.canvas.atlas.copy()
    view.update_snapshot(make_snapshot(["x1", "x2"], [4, 2]))
    np.testing.assert_array_equal(view.canvas.atlas, before)


def test_link_widths_grow_with_the_weight_and_colours_follow_its_sign(view):
    snap = make_snapshot(["x1", "x2", "x1sq"], [4, 3])
    weights = [np.zeros_like(w) for w in snap.weights]
    weights[1][0, 0], weights[1][1, 0], weights[1][2, 0] = 3.0, -3.0, 0.1
    view.update_snapshot(dataclasses.replace(snap, weights=tuple(weights)))
    canvas = view.canvas
    strong, negative, weak = (canvas.geometry_layout.link_index(2, i, 0) for i in range(3))
    assert canvas.link_widths[strong] == canvas.link_widths[negative] > canvas.link_widths[weak]
    blue, orange = (QColor(*map(int, c)) for c in palette.CLASS_COLORS[1::-1])
    assert colour_at(view, view.link_point(2, 0, 0)) == blue
    assert colour_at(view, view.link_point(2, 1, 0)) == orange


def test_clicking_an_input_node_toggles_that_feature(view, qtbot):
    for name in ["x1", "x1sq", "sinx2"]:  # active and inactive ones alike
        with qtbot.waitSignal(view.feature_toggle_requested) as signal:
            qtbot.mouseClick(view.viewport(), LEFT, pos=view.feature_center(name))
        assert signal.args == [name]


def test_layer_buttons_ask_for_one_layer_more_or_fewer(view, qtbot):
    with qtbot.waitSignal(view.layer_count_requested) as signal:
        qtbot.mouseClick(view.layers_plus, LEFT)
    assert signal.args == [3]
    with qtbot.waitSignal(view.layer_count_requested) as signal:
        qtbot.mouseClick(view.layers_minus, LEFT)
    assert signal.args == [1]
    assert view.layers_label.text() == "2 hidden layers"


def test_layer_buttons_are_disabled_at_0_and_8_layers(view):
    view.set_structure(["x1"], [2] * 8, ["tanh"] * 8, 1)
    assert not view.layers_plus.isEnabled() and view.layers_minus.isEnabled()
    assert all(view.layer_header(k).isVisible() for k in range(1, 9))
    view.set_structure(["x1"], [], [], 1)
    assert view.layers_plus.isEnabled() and not view.layers_minus.isEnabled()
    assert not any(view.layer_header(k).isVisible() for k in range(1, 9))


def test_neuron_buttons_ask_for_a_new_count_and_stop_at_1_and_16(view, qtbot):
    header = view.layer_header(2)
    assert header.count.text() == "3 neurons"
    with qtbot.waitSignal(view.neuron_count_requested) as signal:
        qtbot.mouseClick(header.plus, LEFT)
    assert signal.args == [2, 4]
    with qtbot.waitSignal(view.neuron_count_requested) as signal:
        qtbot.mouseClick(view.layer_header(1).minus, LEFT)
    assert signal.args == [1, 3]
    view.set_structure(["x1"], [16, 1], ["tanh", "tanh"], 1)
    assert not view.layer_header(1).plus.isEnabled() and view.layer_header(1).minus.isEnabled()
    assert view.layer_header(2).plus.isEnabled() and not view.layer_header(2).minus.isEnabled()


def test_each_layer_header_sits_over_its_column(view):
    for k in range(2):
        header = view.layer_header(k + 1)
        centre = header.mapTo(view, header.rect().center()).x()
        neuron = view.viewport().mapTo(view, view.neuron_center(k + 1, 0)).x()
        assert abs(centre - neuron) <= 3


def test_choosing_an_activation_reports_layer_and_name(view, qtbot):
    combo = view.layer_header(2).combo
    assert combo.currentData() == "relu"
    with qtbot.waitSignal(view.activation_requested) as signal:
        combo.setCurrentIndex(combo.findData("sigmoid"))
    assert signal.args == [2, "sigmoid"]
    with qtbot.assertNotEmitted(view.activation_requested):
        view.set_structure(["x1"], [4, 3], ["step", "linear"], 1)
    assert view.layer_header(1).combo.currentData() == "step"


def test_hovering_a_neuron_reports_it_and_leaving_reports_none(view, qtbot):
    with qtbot.waitSignal(view.neuron_hovered) as signal:
        qtbot.mouseMove(view.viewport(), view.neuron_center(2, 1))
    assert signal.args == [(2, 1)]
    with qtbot.waitSignal(view.neuron_hovered) as signal:
        qtbot.mouseMove(view.viewport(), view.neuron_center(3, 0))
    assert signal.args == [(3, 0)]
    with qtbot.waitSignal(view.neuron_hovered) as signal:
        qtbot.mouseMove(view.viewport(), QPoint(view.viewport().width() - 2, 2))  # empty corner
    assert signal.args == [None]
    qtbot.mouseMove(view.viewport(), view.neuron_center(1, 3))
    with qtbot.waitSignal(view.neuron_hovered) as signal:
        QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.Leave))
    assert signal.args == [None]


def test_clicking_a_neuron_reports_it(view, qtbot):
    with qtbot.waitSignal(view.neuron_clicked) as signal:
        qtbot.mouseClick(view.viewport(), LEFT, pos=view.neuron_center(1, 2))
    assert signal.args == [1, 2]


@pytest.mark.parametrize("link", [(1, 0, 0), (1, 2, 3), (1, 1, 2), (2, 3, 0), (2, 0, 2), (3, 2, 0)])
def test_clicking_a_link_reports_its_weight_indices(view, qtbot, link):
    view.update_snapshot(make_snapshot(["x1", "x2", "x1sq"], [4, 3]))
    with qtbot.waitSignal(view.link_clicked) as signal:
        qtbot.mouseClick(view.viewport(), LEFT, pos=view.link_point(*link))
    assert tuple(signal.args) == link


def test_first_layer_links_follow_the_active_features_order(view, qtbot):
    view.set_structure(["sinx1", "x2"], [2], ["tanh"], 1)
    input_centre = view.feature_center("x2")
    link_start = view.canvas.geometry_layout.segments[view.canvas.geometry_layout.link_index(1, 1, 0)]
    assert abs(link_start[1] - input_centre.y()) <= 1
    with qtbot.waitSignal(view.link_clicked) as signal:
        qtbot.mouseClick(view.viewport(), LEFT, pos=view.link_point(1, 1, 0))
    assert signal.args == [1, 1, 0]


def test_clicking_empty_space_reports_nothing(view, qtbot):
    with qtbot.assertNotEmitted(view.link_clicked), qtbot.assertNotEmitted(view.neuron_clicked), \
            qtbot.assertNotEmitted(view.feature_toggle_requested):
        qtbot.mouseClick(view.viewport(), LEFT, pos=QPoint(view.viewport().width() - 2, 2))


def test_a_trained_network_renders_in_colour(view):
    view.set_structure(["x1", "x2"], [4, 2], ["tanh", "tanh"], 1)
    view.update_snapshot(make_snapshot(["x1", "x2"], [4, 2], epochs=50))
    image = view.grab().toImage()
    pixels = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3)
              for y in range(0, image.height(), 3)}
    orange, blue = (QColor(*map(int, c)).name() for c in palette.CLASS_COLORS[:2])
    assert orange in pixels and blue in pixels


def test_non_finite_and_huge_weights_still_draw(view):
    snap = make_snapshot(["x1", "x2", "x1sq"], [4, 3])
    weights = [np.array(w) for w in snap.weights]
    weights[0][0, 0], weights[1][0, 0], weights[2][0, 0] = np.inf, np.nan, 1e300
    view.update_snapshot(dataclasses.replace(snap, weights=tuple(weights)))
    assert np.isfinite(view.canvas.link_widths).all()
    assert not view.grab().isNull()
