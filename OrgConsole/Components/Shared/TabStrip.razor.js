// Keyboard for every TabStrip (Components/Shared/TabStrip.razor), as the WAI-ARIA tabs pattern has it: Left/Right move
// to the previous/next tab (wrapping; mirrored right to left), Home/End to the first/last, and the tab moved to is
// selected (focus, then a click the server handles). Installed once per document, whichever strip imported it first.
if (!window.__ocTabStrip) {
    window.__ocTabStrip = true;
    document.addEventListener("keydown", e => {
        if (e.altKey || e.ctrlKey || e.metaKey || !(e.target instanceof Element)) return;
        const tab = e.target.closest("[role=tab]");
        const list = tab?.closest("[data-oc-tablist]");
        if (!list) return;
        const tabs = [...list.querySelectorAll("[role=tab]")];
        const at = tabs.indexOf(tab);
        const rtl = getComputedStyle(list).direction === "rtl";
        const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[e.key];
        const to = step !== undefined ? (at + step + tabs.length) % tabs.length
            : e.key === "Home" ? 0
            : e.key === "End" ? tabs.length - 1
            : -1;
        if (to < 0) return;
        e.preventDefault();
        if (to === at) return;
        tabs[to].focus();
        tabs[to].click();
    });
}
