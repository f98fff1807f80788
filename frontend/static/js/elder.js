// Runs before first paint (no defer) so elder mode never flashes; CSP forbids inline scripts. A device that has not
// yet answered the visitor's first-visit prompt (language, larger text; base.html) shows it, also before first paint.
try{var s=localStorage;if(s.getItem("linli-elder")==="1")document.documentElement.classList.add("elder");
if(s.getItem("linli-welcomed")!=="1")document.documentElement.classList.add("first-visit")}catch(e){}
