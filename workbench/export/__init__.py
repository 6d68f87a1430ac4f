"""Export from the GUI: figures to PNG/SVG/clipboard (:mod:`.figure`) and the File-menu actions (:mod:`.dialogs`)."""
