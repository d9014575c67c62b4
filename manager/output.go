package manager

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"sync"
)

// Services whose output goes to the journal (the default) write into a
// pipe; a goroutine per pipe copies its lines to pm's output, prefixed
// with the unit and pid ("web.service[1234]: listening"). The log issue
// will replace this with proper capture.

// lineWriter serialises whole lines from many pipes onto one writer.
type lineWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
	// logs keeps the recent lines of each unit.
	logs *logStore
}

func newLineWriter(w io.Writer) *lineWriter { return &lineWriter{w: w, logs: newLogStore()} }

func (lw *lineWriter) writeLine(prefix string, line []byte) {
	buf := make([]byte, 0, len(prefix)+len(line)+3)
	buf = append(buf, prefix...)
	buf = append(buf, ':', ' ')
	buf = append(buf, line...)
	buf = append(buf, '\n')
	lw.mu.Lock()
	_, _ = lw.w.Write(buf)
	lw.mu.Unlock()
}

// outputPipe is the read end of one process's output pipe.
type outputPipe struct {
	r *os.File
}

// newOutputPipe returns the write end to give to the child; the reader
// goroutine prefixes lines with name[pid] once the pid is known.
func newOutputPipe() (w *os.File, p *outputPipe, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	return w, &outputPipe{r: r}, nil
}

// copyLines copies the pipe's lines to lw until the write ends are all
// closed (every process holding it ended). Over-long lines are split.
func (p *outputPipe) copyLines(lw *lineWriter, name string, pid int) {
	prefix := name + "[" + strconv.Itoa(pid) + "]"
	defer p.r.Close()
	br := bufio.NewReaderSize(p.r, 4096)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			lw.writeLine(prefix, line)
			lw.logs.add(name, pid, line)
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// closeOutput forgets the output pipe of pid; its goroutine ends by itself
// at EOF, once every process holding the pipe is gone.
func (r *unitRec) closeOutput(pid int) {
	delete(r.outputs, pid)
}
