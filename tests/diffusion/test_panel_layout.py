"""What the diffusion panel shows around its tabs: the timeline and branch bar only where they drive
something, and the training loss axis named with its quantity and units."""


def test_timeline_and_branch_bar_show_only_on_the_tabs_they_drive(qtbot, panel):
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    driven = {"Compare", "Reverse process"}  # the tabs whose views _show_call moves
    for i in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(i)
        shown = panel.tabs.tabText(i) in driven
        assert panel.timeline.isVisible() == shown, panel.tabs.tabText(i)
        assert panel.branches.bar.isVisible() == shown, panel.tabs.tabText(i)


def test_training_loss_axis_names_the_quantity_and_units(qtbot):
    from workbench.panels.diffusion.process_views import TrainView

    view = TrainView()
    qtbot.addWidget(view)
    label = view.loss_plot.getAxis("left").labelText
    assert "mean squared error" in label and "units²" in label and "x0.001" not in label
